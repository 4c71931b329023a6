from pathlib import Path

import click

from openiom.access.commands import LOCAL_FILES, SYSTEM, command_action
from openiom.config.django_setup import setup_django


@click.group()
def audit() -> None:
    """The audit trail of reads and writes."""


@audit.command("verify")
@command_action("audit.verify")
def verify() -> None:
    """Check the hash chain and the signed checkpoints outside the database: report rows edited,
    inserted, deleted or rewritten, a truncated trail, an older copy restored, a tampered checkpoint
    store, and where."""
    setup_django()
    from openiom.audit.selectors import audit_verify

    result = audit_verify()
    if result.problems:
        click.echo(
            f"The audit trail has been tampered with ({len(result.problems)} problem(s) in {result.rows} rows):",
            err=True,
        )
        for problem in result.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1)
    click.echo(f"The audit trail is intact: {result.rows} rows, every hash checks.")
    if result.anchored_position:
        click.echo(
            f"It matches {result.checkpoints} signed checkpoint(s) in {result.store}; the newest, of "
            f"{result.anchored_at}, covers rows 1 to {result.anchored_position}."
        )
    if result.unanchored_rows:
        click.echo(f"{result.unanchored_rows} newer row(s) await their checkpoint.")


@audit.command("checkpoint")
@command_action(SYSTEM)
def checkpoint() -> None:
    """Sign the chain head as it stands now (after an upgrade, or from cron when checkpoints are not
    written for every row)."""
    setup_django()
    from django.core.exceptions import ImproperlyConfigured

    from openiom.audit.services import audit_checkpoint

    try:
        position, event_id = audit_checkpoint()
    except ImproperlyConfigured as exc:
        raise click.ClickException(str(exc)) from exc
    if event_id is None:
        click.echo("The audit trail is empty: nothing to sign.")
    else:
        click.echo(f"Signed checkpoint: {position} rows, ending at row {event_id}.")


@audit.command("keygen")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@command_action(LOCAL_FILES)
def keygen(path: Path) -> None:
    """Create the checkpoint signing key at PATH (owner-only) and its public key at PATH.pub."""
    from openiom.audit.anchor import generate_key_files

    try:
        public = generate_key_files(path)
    except FileExistsError as exc:
        raise click.ClickException(f"{path} already exists: a key is never overwritten") from exc
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc}") from exc
    click.echo(f"Signing key: {path} (set OPENIOM_AUDIT_SIGNING_KEY_FILE on the application servers)")
    click.echo(f"Public key: {public} (set OPENIOM_AUDIT_VERIFY_KEY_FILE where the trail is verified)")
