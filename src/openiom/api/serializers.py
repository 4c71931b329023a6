from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class SearchQuery(serializers.Serializer[Any]):
    q = serializers.CharField(
        max_length=200,
        trim_whitespace=True,
        help_text=_("A PNC ID, probation case reference (CRN), local police ID or name."),
    )


class PersonIdentity(serializers.Serializer[Any]):
    family_name = serializers.CharField()
    given_names = serializers.CharField()
    date_of_birth = serializers.DateField()
    pnc_id = serializers.CharField(allow_null=True)
    probation_crn = serializers.CharField(allow_null=True)
    local_police_id = serializers.CharField(allow_null=True)


class PersonListItem(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    display_name = serializers.CharField(
        help_text=_("FAMILY, Given, or a pseudonym where identities are withheld.")
    )
    identity = PersonIdentity(allow_null=True, help_text=_("Only where the client may see identities."))


class OffendingSummary(serializers.Serializer[Any]):
    proven_offences = serializers.IntegerField()
    convictions = serializers.IntegerField()
    cautions = serializers.IntegerField()
    arrests = serializers.IntegerField()
    proven_last_12_months = serializers.IntegerField()
    custodial_sentences = serializers.IntegerField()
    first_proven = serializers.DateField(allow_null=True)
    latest_proven = serializers.DateField(allow_null=True)


class PersonSummary(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    pseudonymised = serializers.BooleanField()
    field_groups = serializers.ListField(child=serializers.CharField())
    identity = PersonIdentity(allow_null=True)
    age = serializers.IntegerField(allow_null=True)
    offending = OffendingSummary(
        allow_null=True, help_text=_("Only where the client may see offending history.")
    )


class ReferenceDataSet(serializers.Serializer[Any]):
    version = serializers.CharField()
    title = serializers.CharField()
    published = serializers.DateField(allow_null=True)
    is_active = serializers.BooleanField()
    content_sha256 = serializers.CharField()
    loaded_at = serializers.DateTimeField()
