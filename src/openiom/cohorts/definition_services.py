"""Writes for selection definitions: saving a scheme's own definition as a new version, audited.

Kept apart from services.py (which saves runs). The text is validated by the same parser as
`iom cohort identify --definition`, so the web reports the same errors, naming the key."""

from __future__ import annotations

import difflib
import hashlib
import re

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max

from openiom.access.models import Scheme
from openiom.accounts.models import User
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.cohorts.definition_selectors import definition_schemes
from openiom.cohorts.engine.definitions import DefinitionError, builtin_definitions, parse_definition
from openiom.cohorts.models import SchemeDefinition

# What the errors call the text, in place of a file name.
TEXT_NAME = "definition"
_VERSION_LINE = re.compile(r"^version:.*$", re.MULTILINE)
# The audit row keeps a diff of what changed, cut short so a rewritten file cannot bloat the trail.
DIFF_LIMIT = 4000


def _with_version(text: str, version: int) -> str:
    line = f'version: "{version}"'
    if _VERSION_LINE.search(text):
        return _VERSION_LINE.sub(line, text, count=1)
    return f"{line}\n{text}"


def _diff(before: str, after: str, before_name: str, after_name: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(), after.splitlines(), before_name, after_name, lineterm="", n=1
    )
    text = "\n".join(lines)
    return text if len(text) <= DIFF_LIMIT else text[:DIFF_LIMIT] + "\n… (cut short)"


@transaction.atomic
def scheme_definition_save(
    *,
    user: User,
    scheme: Scheme,
    text: str,
    based_on: str = "",
    base_text: str = "",
    note: str = "",
    new_version_of: str | None = None,
) -> SchemeDefinition:
    """Validate `text` and save it as the next version of a definition of `scheme`.

    A copy (`new_version_of` None) starts a new definition at version 1 and its id must be new; a
    new version keeps the id and the scheme of the definition it follows. The `version` key is set
    by the save. Raises DefinitionError (every problem, each naming its key) or PermissionDenied,
    writing nothing."""
    if not definition_schemes(user).filter(pk=scheme.pk).exists():
        raise PermissionDenied(f"{user.username} may not save definitions for {scheme.name}")
    definition = parse_definition(text, file=TEXT_NAME)
    previous = None
    if new_version_of is None:
        if definition.id in {d.id for d in builtin_definitions()}:
            raise DefinitionError(
                [
                    f"{TEXT_NAME}: id: {definition.id!r} is a built-in definition; give the copy an id of its own"
                ]
            )
        if SchemeDefinition.objects.filter(definition_id=definition.id).exists():
            raise DefinitionError(
                [f"{TEXT_NAME}: id: a definition called {definition.id!r} already exists; choose another id"]
            )
        version = 1
    else:
        if definition.id != new_version_of:
            raise DefinitionError(
                [
                    f"{TEXT_NAME}: id: a new version keeps the id {new_version_of!r}; "
                    "copy the definition to save it under another id"
                ]
            )
        rows = SchemeDefinition.objects.select_for_update().filter(definition_id=new_version_of)
        previous = rows.order_by("-version").first()
        if previous is None or previous.scheme_id != scheme.pk:
            raise DefinitionError([f"{TEXT_NAME}: id: {scheme.name} has no definition {new_version_of!r}"])
        version = (rows.aggregate(v=Max("version"))["v"] or 0) + 1
        based_on = based_on or f"{previous.definition_id}@{previous.version}"
        base_text = previous.text
    final = _with_version(text, version)
    definition = parse_definition(final, file=TEXT_NAME)
    row = SchemeDefinition.objects.create(
        scheme=scheme,
        definition_id=definition.id,
        version=version,
        title=definition.title,
        text=final,
        sha256=hashlib.sha256(final.encode("utf-8")).hexdigest(),
        based_on=based_on,
        note=note.strip(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    audit_record(
        user=user,
        action=AuditAction.COHORT_DEFINITION_SAVE,
        object_type="cohort_definition",
        object_id=f"{row.definition_id}@{row.version}",
        detail={
            "scheme": scheme.code,
            "definition": row.definition_id,
            "version": row.version,
            "previous_version": previous.version if previous else None,
            "based_on": based_on,
            "sha256": row.sha256,
            "note": row.note,
            "diff": _diff(base_text, final, based_on or "(new)", f"{row.definition_id}@{row.version}"),
        },
    )
    return row
