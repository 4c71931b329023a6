from django.db import migrations, models


def count_existing_rows(apps, schema_editor):
    # The migration may run on a database other than the default (a test or demo database).
    alias = schema_editor.connection.alias
    head_model = apps.get_model("audit", "AuditChainHead")
    event_model = apps.get_model("audit", "AuditEvent")
    length = event_model.objects.using(alias).count()
    head_model.objects.using(alias).filter(pk=1).update(length=length)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="auditchainhead", name="length", field=models.BigIntegerField(default=0)
        ),
        migrations.RunPython(count_existing_rows, migrations.RunPython.noop),
    ]
