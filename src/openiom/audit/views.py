from __future__ import annotations

import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from openiom.access.policy import has_permission, requires
from openiom.accounts.roles import Role
from openiom.accounts.types import AuthenticatedRequest
from openiom.audit.actions import AuditAction
from openiom.audit.selectors import (
    person_access_log_all,
    person_access_log_oldest_first,
    person_access_log_recent,
    person_data,
)
from openiom.audit.services import audit_record
from openiom.audit.subject_access import spreadsheet_safe, subject_access_zip
from openiom.people.views import visible_person_or_refuse
from openiom.web.formats import choice_labels


@requires("person.access_log")
def access_log(request: AuthenticatedRequest, person_id: int) -> HttpResponse:
    person = visible_person_or_refuse(request, person_id, "person.access_log")
    events = person_access_log_recent(person_id=person.pk)
    audit_record(
        user=request.user, action=AuditAction.PERSON_ACCESS_LOG, object_type="person", object_id=person.pk
    )
    return render(
        request,
        "audit/access_log.html",
        {
            "person": person,
            "events": events,
            "can_export": has_permission(request.user, "person.subject_access"),
            "roles": choice_labels(Role),
        },
    )


@requires("person.access_log")
def access_log_csv(request: AuthenticatedRequest, person_id: int) -> HttpResponse:
    person = visible_person_or_refuse(request, person_id, "person.access_log")
    audit_record(
        user=request.user,
        action=AuditAction.PERSON_ACCESS_LOG_EXPORT,
        object_type="person",
        object_id=person.pk,
    )
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="access-log-person-{person.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(["when", "who", "role", "action", "fields", "purpose"])
    for event in person_access_log_all(person_id=person.pk):
        # A leading = + - @ would make a spreadsheet run the cell as a formula.
        writer.writerow(
            [
                event.occurred_at.isoformat(),
                event.username,
                event.role,
                event.action,
                " ".join(event.fields),
                spreadsheet_safe(event.purpose),
            ]
        )
    return response


@requires("person.subject_access")
def subject_access(request: AuthenticatedRequest, person_id: int) -> HttpResponse:
    """Everything held about the person and everyone who accessed it, for a subject-access request.
    The export is itself audited first, so it appears in the log it contains."""
    person = visible_person_or_refuse(request, person_id, "person.subject_access")
    audit_record(
        user=request.user,
        action=AuditAction.PERSON_SUBJECT_ACCESS,
        object_type="person",
        object_id=person.pk,
        fields=["all"],
    )
    made = timezone.now()
    content = subject_access_zip(
        person_id=person.pk,
        held=person_data(person_id=person.pk),
        events=person_access_log_oldest_first(person_id=person.pk),
        made=made,
        by=request.user.get_username(),
    )
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="subject-access-person-{person.pk}-{made:%Y%m%d}.zip"'
    )
    response["Cache-Control"] = "no-store"
    return response
