"""The subject-access export a data protection officer sends a person: everything held about them and
everyone who read or changed it, as one zip file. Pure: the records are read by audit.selectors."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from openiom.audit.models import AuditEvent

ACCESS_LOG_COLUMNS = ["when", "who", "role", "action", "about", "object", "fields", "purpose", "detail"]

README = """Subject-access export for person {person_id}, made {made} by {by}.

record.json     everything OpenIOM holds about the person, table by table: their record, offending
                history, scheme membership, access grants, cases (panel referrals and decisions,
                needs, plan and its versions, service referrals, contacts, reviews, timeline) and
                cohort candidacies. Health, substance-misuse and victim information is included.
access-log.csv  every read and change of anything about the person, oldest first: who, in which
                role, what they did, to which object, which restricted parts and for what purpose.
access-log.json the same access log, as JSON.

Check what is sent before it leaves: it may name other people (victims, workers) whom the person is
not entitled to learn about (Data Protection Act 2018, Part 3 and Schedule 2 exemptions).
"""


def spreadsheet_safe(text: str) -> str:
    """A leading = + - @ would make a spreadsheet run the cell as a formula."""
    return ("'" + text) if text[:1] in ("=", "+", "-", "@") else text


def access_log_row(event: AuditEvent) -> dict[str, Any]:
    return {
        "when": event.occurred_at.isoformat(),
        "who": event.username,
        "role": event.role,
        "action": event.action,
        "about": event.subject_person,
        "object": f"{event.object_type} {event.object_id}".strip(),
        "fields": " ".join(event.fields),
        "purpose": event.purpose,
        "detail": event.detail,
    }


def subject_access_zip(
    *,
    person_id: int,
    held: dict[str, list[dict[str, Any]]],
    events: Iterable[AuditEvent],
    made: datetime,
    by: str,
) -> bytes:
    log = [access_log_row(e) for e in events]
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=ACCESS_LOG_COLUMNS)
    writer.writeheader()
    for row in log:
        writer.writerow(
            {
                **row,
                "purpose": spreadsheet_safe(row["purpose"]),
                "detail": spreadsheet_safe(json.dumps(row["detail"], sort_keys=True, cls=DjangoJSONEncoder)),
            }
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README.format(person_id=person_id, made=made.isoformat(), by=by))
        archive.writestr("record.json", json.dumps(held, indent=2, sort_keys=True, cls=DjangoJSONEncoder))
        archive.writestr("access-log.csv", text.getvalue())
        archive.writestr("access-log.json", json.dumps(log, indent=2, cls=DjangoJSONEncoder))
    return buffer.getvalue()
