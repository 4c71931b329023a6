import click

from openiom.access.commands import command_action, current_user
from openiom.config.django_setup import setup_django


@click.group()
def retention() -> None:
    """Records past their retention period: review, approve, then delete or anonymise."""


@retention.command("review")
@command_action("retention.manage")
def review() -> None:
    """List records past retention under each rule (changes nothing)."""
    setup_django()
    from openiom.retention.services import retention_review_create

    for item in retention_review_create(user=current_user()):
        click.echo(
            f"review {item.pk}: {len(item.record_ids)} {item.record_type} record(s) older than "
            f"{item.cutoff} to {item.action}"
        )
    click.echo(
        "An administrator approves a review with `iom --user USERNAME retention approve ID --reason TEXT`."
    )


@retention.command("approve")
@command_action("retention.manage")
@click.argument("review_id", type=int)
@click.option("--reason", required=True, help="Why this deletion or anonymisation is right.")
def approve(review_id: int, reason: str) -> None:
    """Approve a review, as the administrator named by --user."""
    setup_django()
    from openiom.retention.models import RetentionReview
    from openiom.retention.services import RetentionError, retention_review_approve

    item = RetentionReview.objects.filter(pk=review_id).first()
    if item is None:
        raise click.BadParameter(f"there is no retention review {review_id}", param_hint="REVIEW_ID")
    user = current_user()
    try:
        retention_review_approve(review=item, user=user, reason=reason)
    except RetentionError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"review {review_id} approved by {user.username}")


@retention.command("apply")
@command_action("retention.manage")
@click.argument("review_id", type=int)
def apply(review_id: int) -> None:
    """Apply an approved review."""
    setup_django()
    from openiom.retention.models import RetentionReview
    from openiom.retention.services import RetentionError, retention_review_apply

    item = RetentionReview.objects.filter(pk=review_id).first()
    if item is None:
        raise click.BadParameter(f"there is no retention review {review_id}", param_hint="REVIEW_ID")
    try:
        count = retention_review_apply(review=item, user=current_user())
    except RetentionError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"review {review_id}: {count} {item.record_type} record(s) {item.action}d")
