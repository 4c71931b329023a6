"""The command line's side of the one permission check.

Every `iom` command declares what it does with `@command_action(...)`, as every view declares its
action with `@requires(...)`:

- an action from permissions.yaml: the command reads or changes the application database, so it
  runs as a named user (`iom --user NAME ...` or OPENIOM_USER, with the password from
  OPENIOM_PASSWORD or a prompt), only if that user's role may perform the action, and it is audited
  as that user;
- LOCAL_FILES: it reads and writes the caller's own files only (synthetic data, definition files,
  analyses of an extract), never the application database;
- SYSTEM: it installs, migrates or serves the application: the operator's job, done by whoever holds
  the database credentials.

A command that touches the database only with some options (`iom cohort identify --engine database`)
declares LOCAL_FILES and asks `acting_user(action)` itself when it does. tests/access/test_commands.py
fails if a command declares nothing.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

import click

from openiom.access.policy import ACTIONS, has_permission
from openiom.audit.actions import AuditAction, audit_action
from openiom.config.django_setup import setup_django

SYSTEM = "system"
LOCAL_FILES = "local_files"
CLI_ACTION_ATTR = "openiom_cli_action"
USER_ENV = "OPENIOM_USER"
PASSWORD_ENV = "OPENIOM_PASSWORD"  # noqa: S105 - the name of the variable, not a password


def command_action[F: Callable[..., Any]](action: str) -> Callable[[F], F]:
    """Declare what a command does; for an application action, check and audit the acting user first."""
    if action not in ACTIONS and action not in (SYSTEM, LOCAL_FILES):
        raise ValueError(f"unknown action {action!r}: give it to a role in permissions.yaml")
    if action not in (SYSTEM, LOCAL_FILES):
        # A checked command is audited under its action's name, so the name must be an audit action too.
        audit_action(action)

    def decorate(command: F) -> F:
        if action in (SYSTEM, LOCAL_FILES):
            setattr(command, CLI_ACTION_ATTR, action)
            return command

        @functools.wraps(command)
        def checked(*args: Any, **kwargs: Any) -> Any:
            acting_user(action)
            return command(*args, **kwargs)

        setattr(checked, CLI_ACTION_ATTR, action)
        return checked  # type: ignore[return-value]  # functools.wraps keeps the signature mypy cannot see

    return decorate


def _context_state() -> dict[str, Any]:
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return {}
    root = ctx.find_root()
    if not isinstance(root.obj, dict):
        root.obj = {}
    return root.obj


def acting_user(action: str) -> Any:
    """The named user, signed in with their password, if their role may perform `action`; otherwise
    a clear error and nothing done. The check is audited as that user, so reads are logged too."""
    setup_django()
    from openiom.accounts.models import User
    from openiom.accounts.throttle import SignInRefused, command_line_sign_in
    from openiom.audit.services import audit_record

    state = _context_state()
    ctx = click.get_current_context(silent=True)
    command = ctx.command_path if ctx is not None else "iom"
    known = state.get("acting_user")
    if known is None:
        username = state.get("username") or os.environ.get(USER_ENV, "")
        if not username:
            raise click.UsageError(
                f"`{command}` uses the application database, so it runs as a named user: "
                f"`iom --user USERNAME ...` (or set {USER_ENV})."
            )
        password = os.environ.get(PASSWORD_ENV)
        if password is None:
            password = click.prompt(f"Password for {username}", hide_input=True, err=True)
        try:
            checked = command_line_sign_in(username, password or "")
        except SignInRefused as exc:
            raise click.ClickException(str(exc)) from exc
        user = User.objects.select_related("agency").get(pk=checked.pk)
        known = state["acting_user"] = user
    if not has_permission(known, action):
        audit_record(
            user=known,
            action=AuditAction.PERMISSION_DENIED,
            detail={"via": "command line", "command": command, "action": action},
        )
        raise click.ClickException(
            f"{known.username} ({known.get_role_display()}) may not do this ({action}); "
            "see docs/security.md for which roles may."
        )
    audit_record(user=known, action=audit_action(action), detail={"via": "command line", "command": command})
    return known


def current_user() -> Any:
    """The acting user a checked command runs as (None for LOCAL_FILES and SYSTEM commands)."""
    return _context_state().get("acting_user")


def remember_user(ctx: click.Context, username: str | None) -> None:
    """Called by `iom` itself with the user named by --user."""
    ctx.obj = {"username": username}
