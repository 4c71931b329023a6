"""The evaluation form must not tell a user what is on the server: a tester learnt the data folder's
path and whether any file existed from the error messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from openiom.accounts.roles import Role
from openiom.accounts.services import user_create
from openiom.evaluation import services
from openiom.evaluation.config import ConfigError
from openiom.evaluation.models import EvaluationRun
from tests.evaluation.web import config_text

pytestmark = pytest.mark.django_db


def refusal(people: str) -> str:
    user = user_create(username="analyst.probe", password="a long test password", role=Role.ANALYST)
    data = f"\n  people: {people}\n  events: events.parquet\n  treated: treated.csv\n  covariates: covariates.csv"
    with pytest.raises(ConfigError) as refused:
        services.evaluation_run_create(user=user, config_text=config_text(data=data))
    assert EvaluationRun.objects.count() == 0
    return str(refused.value)


@pytest.mark.parametrize(
    "people",
    [
        "/etc/passwd",  # exists, outside the folder
        "/etc/no-such-file-here",  # missing, outside
        "nobody.csv",  # missing, inside
        "../../../../etc/passwd",
        "../missing-outside.csv",
        ".",  # the folder itself
    ],
)
def test_missing_and_forbidden_files_get_the_same_message(evaluation_folders: Any, people: str) -> None:
    data_dir: Path = evaluation_folders[0]
    message = refusal(people)
    assert message == "data.people: must be a file in the evaluation data folder"
    assert str(data_dir) not in message and "exist" not in message


def test_a_job_that_cannot_read_a_file_names_no_server_path(evaluation_folders: Any) -> None:
    """A file that is in the folder but unreadable fails the job; DuckDB's message carries the full
    path, and the status page showed it."""
    data_dir, out_dir = evaluation_folders
    (data_dir / "broken.parquet").write_bytes(b"not a parquet file")
    user = user_create(username="analyst.leak", password="a long test password", role=Role.ANALYST)
    data = "\n  people: broken.parquet\n  events: events.parquet\n  treated: treated.csv\n  covariates: covariates.csv"
    run = services.evaluation_run_create(user=user, config_text=config_text(data=data))
    run = services.evaluation_run_execute(run.pk)
    assert run.status == "failed"
    assert "broken.parquet" in run.message
    for secret in (str(data_dir), str(out_dir), str(data_dir.resolve()), str(Path(data_dir).anchor) + "tmp/"):
        assert secret not in run.message, run.message
