from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    OTHER = "X", _("Other or not known")


class Ethnicity(models.TextChoices):
    """Police self-defined ethnicity (18+1) codes."""

    A1 = "A1", _("Asian or Asian British: Indian")
    A2 = "A2", _("Asian or Asian British: Pakistani")
    A3 = "A3", _("Asian or Asian British: Bangladeshi")
    A4 = "A4", _("Asian or Asian British: Chinese")
    A9 = "A9", _("Asian or Asian British: any other Asian background")
    B1 = "B1", _("Black or Black British: Caribbean")
    B2 = "B2", _("Black or Black British: African")
    B9 = "B9", _("Black or Black British: any other Black background")
    M1 = "M1", _("Mixed: White and Black Caribbean")
    M2 = "M2", _("Mixed: White and Black African")
    M3 = "M3", _("Mixed: White and Asian")
    M9 = "M9", _("Mixed: any other mixed background")
    O2 = "O2", _("Other ethnic group: Arab")
    O9 = "O9", _("Other ethnic group: any other ethnic group")
    W1 = "W1", _("White: British")
    W2 = "W2", _("White: Irish")
    W3 = "W3", _("White: Gypsy or Irish Traveller")
    W9 = "W9", _("White: any other White background")
    NS = "NS", _("Not stated")


def person_name(family_name: str, given_names: str) -> str:
    """How a person is named on every page: FAMILY, Given."""
    return f"{family_name.upper()}, {given_names}"


class Person(models.Model):
    source_system = models.CharField(max_length=40)
    source_id = models.CharField(max_length=64)
    pnc_id = models.CharField(_("PNC ID"), max_length=13, null=True, blank=True, db_index=True)
    probation_crn = models.CharField(
        _("probation case reference"), max_length=7, null=True, blank=True, db_index=True
    )
    local_police_id = models.CharField(
        _("local police ID"), max_length=64, null=True, blank=True, db_index=True
    )
    family_name = models.CharField(_("family name"), max_length=100)
    given_names = models.CharField(_("given names"), max_length=200)
    aliases = models.TextField(_("aliases"), blank=True, default="")
    date_of_birth = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    ethnicity = models.CharField(
        _("ethnicity"), max_length=2, choices=Ethnicity.choices, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "person"
        constraints = [
            models.UniqueConstraint(fields=["source_system", "source_id"], name="uniq_person_source")
        ]
        indexes = [models.Index(fields=["family_name", "given_names"], name="person_name_idx")]

    def __str__(self) -> str:
        return person_name(self.family_name, self.given_names)

    @property
    def alias_list(self) -> list[str]:
        return [a.strip() for a in self.aliases.split(";") if a.strip()]
