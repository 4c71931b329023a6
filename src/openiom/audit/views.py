from __future__ import annotations

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openiom.access.policy import requires
from openiom.audit.selectors import person_access_log
from openiom.audit.services import audit_record
from openiom.people.views import visible_person_or_refuse


@requires("person.access_log")
def access_log(request: HttpRequest, person_id: int) -> HttpResponse:
    person = visible_person_or_refuse(request, person_id, "person.access_log")
    events = list(person_access_log(person_id=person.pk)[:500])
    audit_record(user=request.user, action="person.access_log", object_type="person", object_id=person.pk)
    return render(request, "audit/access_log.html", {"person": person, "events": events})


@requires("person.access_log")
def access_log_csv(request: HttpRequest, person_id: int) -> HttpResponse:
    person = visible_person_or_refuse(request, person_id, "person.access_log")
    audit_record(
        user=request.user, action="person.access_log.export", object_type="person", object_id=person.pk
    )
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="access-log-person-{person.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(["when", "who", "role", "action", "fields", "purpose"])
    for event in person_access_log(person_id=person.pk).iterator():
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
