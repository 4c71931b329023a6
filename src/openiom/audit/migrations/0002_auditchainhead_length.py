from django.db import migrations, models


def count_existing_rows(apps, schema_editor):
    head_model = apps.get_model("audit", "AuditChainHead")
    event_model = apps.get_model("audit", "AuditEvent")
    head_model.objects.filter(pk=1).update(length=event_model.objects.count())


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="auditchainhead", name="length", field=models.BigIntegerField(default=0)
        ),
        migrations.RunPython(count_existing_rows, migrations.RunPython.noop),
    ]
