from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from openiom.accounts.roles import Role


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    class Meta:
        db_table = "user_account"
