from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from openiom.cases.models import ReferralOutcome, ReferralStatus

# Something besides spaces, and no control characters: the published schema says what the server
# refuses, so a client (and the fuzzer) can tell a valid query from one that is not.
SEARCH_PATTERN = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"


class SearchQuery(serializers.Serializer[Any]):
    q = serializers.CharField(
        max_length=200,
        trim_whitespace=True,
        validators=[RegexValidator(SEARCH_PATTERN, message=_("Enter a search without control characters."))],
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


class Referral(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    person = PersonListItem()
    service = serializers.CharField()
    pathway = serializers.CharField(
        allow_null=True,
        help_text=_("The need referred for; null for health and substance misuse (restricted)."),
    )
    status = serializers.ChoiceField(choices=ReferralStatus.choices)
    outcome = serializers.CharField(allow_blank=True)
    sent_on = serializers.DateField()
    accepted_on = serializers.DateField(allow_null=True)
    started_on = serializers.DateField(allow_null=True)
    closed_on = serializers.DateField(allow_null=True)
    version = serializers.IntegerField(
        help_text=_("Also the ETag: send it back in If-Match to change the referral.")
    )


class ReferralUpdate(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=ReferralStatus.choices)
    on = serializers.DateField(help_text=_("The day it happened (not after today)."))
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    outcome = serializers.ChoiceField(
        choices=ReferralOutcome.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required when the referral closes: what came of it."),
    )
