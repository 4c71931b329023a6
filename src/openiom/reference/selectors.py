from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from openiom.reference.models import Offence, OffenceCategory, ReferenceDataSet, UnitCost


def dataset_active() -> ReferenceDataSet | None:
    return ReferenceDataSet.objects.filter(is_active=True).first()


def dataset_list() -> QuerySet[ReferenceDataSet]:
    return ReferenceDataSet.objects.order_by("-loaded_at")


def offences_for(dataset: ReferenceDataSet) -> QuerySet[Offence]:
    """The offences, each with its category's label (`category_label`) for tables to show."""
    label = OffenceCategory.objects.filter(dataset=OuterRef("dataset"), category=OuterRef("category"))
    return (
        Offence.objects.filter(dataset=dataset)
        .annotate(category_label=Subquery(label.values("label")[:1]))
        .order_by("offence_code")
    )


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


def active_offences_and_categories(
    codes: set[str],
) -> tuple[dict[str, Offence], dict[str, OffenceCategory]]:
    """The active reference data's offences with these codes, and its categories (two queries)."""
    offences = Offence.objects.filter(dataset__is_active=True, offence_code__in=sorted(codes))
    categories = OffenceCategory.objects.filter(dataset__is_active=True)
    return {o.offence_code: o for o in offences}, {c.category: c for c in categories}
