from __future__ import annotations

import os
import secrets
import shutil
import sys
from pathlib import Path

import click

from openiom.access.commands import SYSTEM, command_action
from openiom.config.django_setup import setup_django

DEMO_PEOPLE = 3000
DEMO_SEED = 2026


def _exec_server(host: str, port: int, workers: int) -> None:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    args = [
        str(gunicorn),
        "openiom.config.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--capture-output",
    ]
    os.execv(args[0], args)  # noqa: S606 - replace this process with the server


@click.command()
@command_action(SYSTEM)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--workers", default=2, show_default=True)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web application (migrates the database first)."""
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    click.echo(f"OpenIOM is running at http://{host}:{port}/  (Ctrl+C to stop)")
    _exec_server(host, port, workers)


@click.command()
@command_action(SYSTEM)
@click.option("--people", default=DEMO_PEOPLE, show_default=True, help="Size of the synthetic area.")
@click.option("--seed", default=DEMO_SEED, show_default=True)
@click.option("--reset", is_flag=True, help="Throw away the demo database and build it again.")
@click.option("--port", default=8000, show_default=True)
@click.option("--no-serve", is_flag=True, help="Build the demo but do not start the server.")
def demo(people: int, seed: int, reset: bool, port: int, no_serve: bool) -> None:
    """Build a synthetic police area in SQLite, create a demo user per role and serve the site."""
    os.environ.setdefault("OPENIOM_DATA_DIR", str(Path.cwd() / "var" / "demo"))
    os.environ["OPENIOM_DEMO"] = "true"
    os.environ.setdefault("OPENIOM_REQUIRE_2FA", "false")
    data_dir = Path(os.environ["OPENIOM_DATA_DIR"])
    setup_django()
    if reset and data_dir.exists():
        from django.conf import settings

        for item in data_dir.glob("openiom.sqlite3*"):
            item.unlink()
        # The signed checkpoints describe the trail just thrown away: a new trail starts a new store.
        shutil.rmtree(settings.OPENIOM_AUDIT_CHECKPOINT_DIR, ignore_errors=True)
        Path(settings.OPENIOM_AUDIT_CHECKPOINT_DIR).mkdir(parents=True)
    from openiom.web.demo import demo_build

    password = os.environ.get("OPENIOM_DEMO_PASSWORD") or secrets.token_urlsafe(9)
    summary = demo_build(data_dir=data_dir, people=people, seed=seed, password=password, echo=click.echo)
    click.echo("")
    click.echo("Demo users (synthetic data only; two-factor sign-in is off in the demo):")
    for username, role in summary.users:
        click.echo(f"  {username:<24} {role}")
    click.echo(f"  password for every demo user: {password}")
    if no_serve:
        return
    click.echo(f"\nOpen http://127.0.0.1:{port}/ and sign in.")
    _exec_server("127.0.0.1", port, 2)


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@command_action(SYSTEM)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command, such as `iom manage migrate`."""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["iom manage", *args])
