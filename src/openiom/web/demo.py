"""Building the demonstration area: a synthetic police area and one user per role."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.core.management import call_command
from django.utils import timezone

from openiom.access.demo import demo_access_build
from openiom.accounts.models import User
from openiom.accounts.roles import Role
from openiom.accounts.services import user_create
from openiom.cases.demo import demo_cases_build, demo_cohort_runs_build, demo_performance_build
from openiom.evaluation.demo import demo_evaluation_cases_build
from openiom.imports.services import events_import, people_import
from openiom.people.models import Person
from openiom.reference.datafiles import builtin_directory
from openiom.reference.services import reference_dataset_load
from openiom.synth.generate import DEFAULT_AS_OF
from openiom.synth.iom_effect import plant_scheme
from openiom.workforce.demo import demo_lanes_build, demo_training_build

DEMO_SOURCE_SYSTEM = "SYNTH"
# The planted effect of the demo scheme: managed people's offending after adoption falls by this much
# more than the area's own decline (docs/performance.md).
DEMO_EFFECT = 0.3
PLANTED_FOLDER = "iom-scheme"
DEMO_USERS: list[tuple[str, Role, str, str]] = [
    ("demo.police", Role.POLICE_OFFICER, "Pat", "Constable"),
    ("demo.probation", Role.PROBATION_PRACTITIONER, "Sam", "Practitioner"),
    ("demo.partner", Role.PARTNER_WORKER, "Jo", "Partner"),
    ("demo.coordinator", Role.COORDINATOR, "Chris", "Coordinator"),
    ("demo.analyst", Role.ANALYST, "Ali", "Analyst"),
    ("demo.national", Role.NATIONAL_VIEWER, "Nat", "Overseer"),
    ("demo.admin", Role.ADMINISTRATOR, "Ade", "Administrator"),
]


@dataclass(frozen=True)
class DemoSummary:
    people: int
    users: list[tuple[str, str]]


class DemoImportError(RuntimeError):
    pass


def run_synth(*, people: int, seed: int, out: Path) -> None:
    """Run `iom synth` in a child process so its memory is returned before the server starts."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "openiom.cli",
            "synth",
            "--people",
            str(people),
            "--seed",
            str(seed),
            "--out",
            str(out),
            "--format",
            "csv",
        ],
        check=True,
    )


def demo_build(
    *, data_dir: Path, people: int, seed: int, password: str, echo: Callable[[str], None]
) -> DemoSummary:
    echo("Preparing the database…")
    call_command("migrate", verbosity=0)
    reference_dataset_load(directory=builtin_directory())
    area = data_dir / "synthetic-area"
    if not Person.objects.exists():
        echo(f"Generating a synthetic area of {people:,} people (seed {seed})…")
        run_synth(people=people, seed=seed, out=area)
        echo(f"Planting an IOM scheme that cuts its managed people's offending by {DEMO_EFFECT:.0%}…")
        planted = plant_scheme(
            area / "events.csv", area / PLANTED_FOLDER, as_of=DEFAULT_AS_OF, effect=DEMO_EFFECT
        )
        for kind, run, path in (
            ("people", people_import, area / "people.csv"),
            ("events", events_import, planted.events),
        ):
            result = run(path=path)
            if not result.ok:
                raise DemoImportError(f"the synthetic {kind} file did not import: {result.errors[:3]}")
            echo(f"Imported {result.inserted:,} {kind}.")
    users = []
    for username, role, first, last in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username, password=password, role=role, first_name=first, last_name=last
            )
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        users.append((username, str(role.label)))
    scheme = demo_access_build(source_system=DEMO_SOURCE_SYSTEM, as_of=timezone.localdate())
    echo("Running the built-in cohort definitions for the selection panel…")
    demo_cohort_runs_build(
        people_file=area / "people.csv", events_file=area / "events.csv", as_of=timezone.localdate()
    )
    demo_training_build(as_of=timezone.localdate())
    demo_cases_build(scheme=scheme, as_of=timezone.localdate())
    demo_lanes_build(as_of=timezone.localdate())
    planted_folder = data_dir / "synthetic-area" / PLANTED_FOLDER
    if (planted_folder / "managed.csv").exists():
        demo_performance_build(
            scheme=scheme,
            managed=planted_folder / "managed.csv",
            comparison=planted_folder / "comparison.csv",
            source_system=DEMO_SOURCE_SYSTEM,
        )
    echo("Adopting an earlier intake whose follow-up has ended, for the Evaluation page…")
    demo_evaluation_cases_build(scheme=scheme, records_end=DEFAULT_AS_OF, source_system=DEMO_SOURCE_SYSTEM)
    return DemoSummary(people=Person.objects.count(), users=users)
