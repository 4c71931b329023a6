"""Loading a reference data version into the database and choosing the active one."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction

from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.reference.datafiles import ReferenceDataError, read_reference_directory
from openiom.reference.models import Offence, OffenceCategory, ReferenceDataSet, UnitCost

if TYPE_CHECKING:
    from openiom.accounts.models import User


def _decimal(value: str) -> Decimal | None:
    return Decimal(value) if value != "" else None


@transaction.atomic
def reference_dataset_load(
    *, directory: Path | str, user: User | None = None, activate: bool = True
) -> ReferenceDataSet:
    """Load a reference directory as a new version. Reloading identical content is a no-op.

    Raises ReferenceDataError if the files are malformed or the version exists with other content.
    """
    data = read_reference_directory(directory)
    existing = ReferenceDataSet.objects.filter(version=data.version).first()
    if existing is not None:
        if existing.content_sha256 != data.sha256:
            raise ReferenceDataError(
                f"version {data.version} is already loaded with different content; give the new files a new version"
            )
        if activate and not existing.is_active:
            reference_dataset_activate(dataset=existing, user=user)
        return existing
    dataset = ReferenceDataSet.objects.create(
        version=data.version,
        title=data.title,
        published=data.published,
        notes=data.notes,
        sources=data.sources,
        content_sha256=data.sha256,
        is_active=False,
        loaded_by=user,
    )
    OffenceCategory.objects.bulk_create(
        OffenceCategory(
            dataset=dataset,
            category=r["category"],
            label=r["label"],
            neighbourhood_crime=r["neighbourhood_crime"] == "true",
            proven_offence_group=r["proven_offence_group"],
            status=r["status"],
            source=r["source"],
        )
        for r in data.categories
    )
    UnitCost.objects.bulk_create(
        UnitCost(
            dataset=dataset,
            cost_category=r["cost_category"],
            label=r["label"],
            unit_cost_gbp=_decimal(r["unit_cost_gbp"]),
            price_base=r["price_base"],
            status=r["status"],
            source=r["source"],
            note=r["note"],
        )
        for r in data.unit_costs
    )
    Offence.objects.bulk_create(
        Offence(
            dataset=dataset,
            offence_code=r["offence_code"],
            description=r["description"],
            category=r["category"],
            cost_category=r["cost_category"],
            css_weight=_decimal(r["css_weight"]),
            css_status=r["css_status"],
            ogrs3_weight=_decimal(r["ogrs3_weight"]),
            ogrs3_status=r["ogrs3_status"],
        )
        for r in data.offences
    )
    audit_record(
        user=user,
        action=AuditAction.REFERENCE_LOAD,
        object_type="reference_dataset",
        object_id=dataset.pk,
        detail={"version": data.version, "sha256": data.sha256, "directory": str(directory)},
    )
    if activate:
        reference_dataset_activate(dataset=dataset, user=user)
    return dataset


@transaction.atomic
def reference_dataset_activate(*, dataset: ReferenceDataSet, user: User | None = None) -> None:
    ReferenceDataSet.objects.filter(is_active=True).exclude(pk=dataset.pk).update(is_active=False)
    ReferenceDataSet.objects.filter(pk=dataset.pk).update(is_active=True)
    dataset.is_active = True
    audit_record(
        user=user,
        action=AuditAction.REFERENCE_ACTIVATE,
        object_type="reference_dataset",
        object_id=dataset.pk,
        detail={"version": dataset.version},
    )
