"""Writes for transparency records: save a revision (a coordinator's edit of the sections, with
the figures of their latest analysis frozen into it) and publish one; each audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from openiom.access.models import Scheme
from openiom.access.policy import has_permission
from openiom.accounts.models import User
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.cohorts.definition_selectors import definition_schemes
from openiom.cohorts.engine.definitions import Definition
from openiom.cohorts.models import RecordStatus, TransparencyRecord
from openiom.cohorts.transparency import SECTION_KEYS

ACTION = "cohort.transparency.edit"


def _check(user: User, scheme: Scheme) -> None:
    if not has_permission(user, ACTION) or not definition_schemes(user).filter(pk=scheme.pk).exists():
        raise PermissionDenied(f"{user.username} may not edit the transparency records of {scheme.name}")


@transaction.atomic
def transparency_record_save(
    *,
    user: User,
    scheme: Scheme,
    definition: Definition,
    content: dict[str, str],
    figures: dict[str, Any] | None,
) -> TransparencyRecord:
    """Save the sections as the next revision (a draft) of the scheme's record for this version of
    the definition. Raises PermissionDenied, writing nothing, for anyone else."""
    _check(user, scheme)
    unknown = sorted(set(content) - set(SECTION_KEYS))
    if unknown:
        raise ValueError(f"unknown section {unknown[0]!r}")
    rows = TransparencyRecord.objects.select_for_update().filter(
        scheme=scheme, definition_id=definition.id, definition_version=definition.version
    )
    revision = (rows.aggregate(r=Max("revision"))["r"] or 0) + 1
    record = TransparencyRecord.objects.create(
        scheme=scheme,
        definition_id=definition.id,
        definition_version=definition.version,
        definition_sha256=definition.sha256,
        revision=revision,
        content={key: content.get(key, "").strip() for key in SECTION_KEYS},
        figures=figures,
        created_by=user,
    )
    audit_record(
        user=user,
        action=AuditAction.COHORT_TRANSPARENCY_SAVE,
        object_type="cohort_transparency_record",
        object_id=record.pk,
        detail={
            "scheme": scheme.code,
            "definition": definition.label,
            "sha256": definition.sha256,
            "revision": revision,
            "figures_from_analysis": (figures or {}).get("analysis"),
        },
    )
    return record


@transaction.atomic
def transparency_record_publish(*, user: User, record: TransparencyRecord) -> TransparencyRecord:
    """Publish a saved revision; earlier published revisions stay as they were (the latest
    published is the record)."""
    _check(user, record.scheme)
    record = TransparencyRecord.objects.select_for_update().get(pk=record.pk)
    if record.status != RecordStatus.PUBLISHED:
        record.status = RecordStatus.PUBLISHED
        record.published_at = timezone.now()
        record.published_by = user
        record.save(update_fields=["status", "published_at", "published_by"])
        audit_record(
            user=user,
            action=AuditAction.COHORT_TRANSPARENCY_PUBLISH,
            object_type="cohort_transparency_record",
            object_id=record.pk,
            detail={
                "scheme": record.scheme.code,
                "definition": f"{record.definition_id}@{record.definition_version}",
                "revision": record.revision,
            },
        )
    return record
