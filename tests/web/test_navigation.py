import pytest
from django.test import RequestFactory

from openiom.accounts.roles import Role
from openiom.accounts.services import user_create
from openiom.web.navigation import navigation_for


@pytest.mark.django_db
def test_only_the_deepest_matching_entry_is_current() -> None:
    request = RequestFactory().get("/cases/panel/")
    request.user = user_create(username="c", password="a long test password", role=Role.COORDINATOR)
    current = [item["text"] for item in navigation_for(request) if item["current"]]
    assert current == ["Selection panel"]
    texts = [item["text"] for item in navigation_for(request)]
    assert "Evaluation" in texts  # coordinators evaluate their scheme's adopted cases
    request.user = user_create(username="p", password="a long test password", role=Role.PARTNER_WORKER)
    assert "Evaluation" not in [item["text"] for item in navigation_for(request)]  # partners do not
