import click

from openiom.access.commands import command_action
from openiom.config.django_setup import setup_django


@click.group()
def audit() -> None:
    """The audit trail of reads and writes."""


@audit.command("verify")
@command_action("audit.verify")
def verify() -> None:
    """Check the hash chain: report any row that was edited, inserted or deleted, and where."""
    setup_django()
    from openiom.audit.selectors import audit_chain_verify

    count, problems = audit_chain_verify()
    if problems:
        click.echo(
            f"The audit trail has been tampered with ({len(problems)} problem(s) in {count} rows):", err=True
        )
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1)
    click.echo(f"The audit trail is intact: {count} rows, every hash checks.")
