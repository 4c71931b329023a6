"""Which person an audit row is about (its subject), so one person's access log is one indexed read.

`audit_record` works the subject out once, here, from the object the caller names: a person is its
own subject; a case, a plan, a service referral or a coordinator alert is about its person. Models
are named by label, not imported, because every app imports the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps

# object_type -> (model label, the lookup from that model to its person's id)
SUBJECT_LOOKUPS: dict[str, tuple[str, str]] = {
    "case": ("cases.Case", "person_id"),
    "plan": ("cases.Plan", "case__person_id"),
    "referral": ("cases.ServiceReferral", "case__person_id"),
    "service_referral": ("cases.ServiceReferral", "case__person_id"),
    "coordinator_alert": ("access.CoordinatorAlert", "person_id"),
}


def _as_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def recorded_subject(object_type: str, object_id: str, detail: dict[str, Any]) -> int | None:
    """The subject as the row's own content states it: a person row's id, else `detail["person"]`.

    This is also how rows written before the subject column existed were back-filled, so `iom audit
    verify` can check a back-filled subject against the hashed content it came from."""
    if object_type == "person":
        return _as_id(object_id)
    return _as_id(detail.get("person")) if isinstance(detail, dict) else None


def subject_of(object_type: str, object_id: str, detail: dict[str, Any]) -> int | None:
    """The person a new audit row is about: looked up from the object, else as the row states it."""
    lookup = SUBJECT_LOOKUPS.get(object_type)
    pk = _as_id(object_id)
    if lookup is not None and pk is not None:
        label, path = lookup
        found = apps.get_model(label)._default_manager.filter(pk=pk).values_list(path, flat=True).first()
        if found is not None:
            return int(found)
    return recorded_subject(object_type, object_id, detail)
