from __future__ import annotations

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openiom.access.policy import requires
from openiom.accounts.roles import Role
from openiom.audit.actions import AuditAction
from openiom.audit.selectors import person_access_log_all, person_access_log_recent
from openiom.audit.services import audit_record
from openiom.people.views import visible_person_or_refuse
from openiom.web.formats import choice_labels


@requires("person.access_log")
def access_log(request: HttpRequest, person_id: int) -> HttpResponse:
    person = visible_person_or_refuse(request, person_id, "person.access_log")
    events = person_access_log_recent(person_id=person.pk)
    audit_record(
        user=request.user, action=AuditAction.PERSON_ACCESS_LOG, object_type="person", object_id=person.pk
    )
    return render(
        request,
        "audit/access_log.html",
        {"person": person, "events": events, "roles": choice_labels(Role)},
    )


@requires("person.access_log")
def access_log_csv(request: HttpRequest, person_id: int) -> HttpResponse:
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
        purpose = ("'" + event.purpose) if event.purpose[:1] in ("=", "+", "-", "@") else event.purpose
        writer.writerow(
            [
                event.occurred_at.isoformat(),
                event.username,
                event.role,
                event.action,
                " ".join(event.fields),
                purpose,
            ]
        )
    return response
