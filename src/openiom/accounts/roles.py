"""The roles of PRODUCT.md. Permissions attach to these (see openiom.access)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    POLICE_OFFICER = "police_officer", _("IOM police officer")
    PROBATION_PRACTITIONER = "probation_practitioner", _("Probation practitioner")
    PARTNER_WORKER = "partner_worker", _("Partner worker")
    COORDINATOR = "coordinator", _("IOM coordinator")
    ANALYST = "analyst", _("Analyst")
    NATIONAL_VIEWER = "national_viewer", _("National oversight")
    ADMINISTRATOR = "administrator", _("Administrator")
