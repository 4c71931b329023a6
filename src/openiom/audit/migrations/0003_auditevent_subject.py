"""Every audit row names the person it is about, so a person's access log is complete.

Rows already written keep their hash: they are marked payload version 1, whose hash never covered a
subject, and their subject is back-filled from their own hashed content (a person row's id, else the
`person` its detail names), which `iom audit verify` checks again. The rule is copied here, not
imported, so this migration does not change when the application does.
"""

from django.db import migrations, models

BATCH = 2000


def _as_id(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _recorded_subject(object_type, object_id, detail):
    if object_type == "person":
        return _as_id(object_id)
    return _as_id(detail.get("person")) if isinstance(detail, dict) else None


def backfill_subjects(apps, schema_editor):
    event_model = apps.get_model("audit", "AuditEvent")
    manager = event_model.objects.db_manager(schema_editor.connection.alias)
    rows = manager.filter(payload_version=1).only("id", "object_type", "object_id", "detail")
    changed = []
    for event in rows.order_by("id").iterator(chunk_size=BATCH):
        subject = _recorded_subject(event.object_type, event.object_id, event.detail)
        if subject is not None:
            event.subject_person = subject
            changed.append(event)
        if len(changed) >= BATCH:
            manager.bulk_update(changed, ["subject_person"])
            changed = []
    if changed:
        manager.bulk_update(changed, ["subject_person"])


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_auditchainhead_length")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="subject_person",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        # Existing rows become version 1; rows written from now on are version 2.
        migrations.AddField(
            model_name="auditevent",
            name="payload_version",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="payload_version",
            field=models.PositiveSmallIntegerField(default=2),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["subject_person", "occurred_at"], name="audit_subject_idx"),
        ),
        migrations.RunPython(backfill_subjects, migrations.RunPython.noop),
    ]
