"""No page or download a signed-in user gets may be kept by a browser or a shared cache: every URL
of tests/access/test_urls.py, for every role, carries Cache-Control: no-store."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from openiom.accounts.roles import Role
from openiom.evaluation.models import RunStatus
from tests.access.test_urls import has_object, routed, url_for
from tests.access.world import build_world


def assert_not_stored(response: object, where: str) -> None:
    cache_control = response.get("Cache-Control", "")  # type: ignore[attr-defined]
    assert "no-store" in cache_control, f"{where}: Cache-Control {cache_control!r}"
    assert response.get("Pragma") == "no-cache", where  # type: ignore[attr-defined]


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_every_page_and_download_for_a_signed_in_role_is_no_store(role: Role, tmp_path: Path) -> None:
    world = build_world()
    finish(world.evaluation_run, tmp_path)
    client = Client()
    client.force_login(world.users[role])
    pages = 0
    for name, _view, route in routed():
        for in_scope in (True, False) if has_object(route) else (True,):
            url = url_for(name, route, world, in_scope)
            response = client.get(url)
            # Refusals and redirects say nothing personal, but they are covered as well.
            assert_not_stored(response, f"{name} {url} as {role.value} ({response.status_code})")
            pages += response.status_code == 200
    assert pages > 0


def finish(run: object, directory: Path) -> None:
    """Mark the run finished with report files, so its downloads answer 200."""
    for name in ("report.html", "report.pdf", "results.json"):
        (directory / name).write_bytes(b"synthetic report")
    run.status, run.output_dir = RunStatus.SUCCEEDED, str(directory)  # type: ignore[attr-defined]
    run.save()  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_downloads_are_no_store(tmp_path: Path) -> None:
    world = build_world()
    finish(world.evaluation_run, tmp_path)
    client = Client()
    client.force_login(world.users[Role.COORDINATOR])
    downloads = [client.get(reverse("audit:access-log-csv", kwargs={"person_id": world.in_scope.pk}))]
    client.force_login(world.users[Role.ANALYST])
    downloads.append(
        client.get(reverse("evaluation:report-pdf", kwargs={"run_id": world.evaluation_run.pk}))  # type: ignore[union-attr]
    )
    for response in downloads:
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
        assert_not_stored(response, response["Content-Disposition"])
