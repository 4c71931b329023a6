from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from openiom.accounts.roles import Role


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    agency = models.ForeignKey(
        "access.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("agency"),
    )
    # Analysts see pseudonymised people unless an administrator grants identities.
    sees_identities = models.BooleanField(_("may see identities"), default=False)

    class Meta:
        db_table = "user_account"
