from __future__ import annotations

from django.db.models import QuerySet

from openiom.reference.models import Offence, OffenceCategory, ReferenceDataSet, UnitCost


def dataset_active() -> ReferenceDataSet | None:
    return ReferenceDataSet.objects.filter(is_active=True).first()


def dataset_list() -> QuerySet[ReferenceDataSet]:
    return ReferenceDataSet.objects.order_by("-loaded_at")


def offences_for(dataset: ReferenceDataSet) -> QuerySet[Offence]:
    return Offence.objects.filter(dataset=dataset).order_by("offence_code")


def categories_for(dataset: ReferenceDataSet) -> QuerySet[OffenceCategory]:
    return OffenceCategory.objects.filter(dataset=dataset).order_by("category")


def unit_costs_for(dataset: ReferenceDataSet) -> QuerySet[UnitCost]:
    return UnitCost.objects.filter(dataset=dataset).order_by("cost_category")


def active_offence_lookup() -> dict[str, Offence]:
    """Offence code -> offence row of the active reference data (one query)."""
    dataset = dataset_active()
    if dataset is None:
        return {}
    return {o.offence_code: o for o in offences_for(dataset)}


def active_category_labels() -> dict[str, str]:
    dataset = dataset_active()
    if dataset is None:
        return {}
    return {c.category: c.label for c in categories_for(dataset)}


def active_neighbourhood_categories() -> set[str]:
    return set(
        OffenceCategory.objects.filter(dataset__is_active=True, neighbourhood_crime=True).values_list(
            "category", flat=True
        )
    )
