from typing import Any

from django.db import migrations, models

# The default plan action types, as lists.yaml gave them when this migration was written: a
# database made before then gets them too (a new one gets them from lists.yaml after migrating).
ACTION_TYPES = [
    ("enforcement", "Enforcement and disruption"),
    ("welfare", "Welfare and support"),
    ("treatment", "Treatment"),
    ("accommodation", "Accommodation"),
    ("employment", "Education, training and employment"),
    ("family", "Family and relationships"),
    ("supervision", "Supervision and offender management"),
]


def add_action_types(apps: Any, schema_editor: Any) -> None:
    entries = apps.get_model("cases", "ListEntry").objects.using(schema_editor.connection.alias)
    # An empty table is a new database: the post-migrate defaults fill every list, this one too.
    if not entries.exists() or entries.filter(kind="action_type").exists():
        return
    entries.bulk_create(
        entries.model(kind="action_type", code=code, label=label, position=position)
        for position, (code, label) in enumerate(ACTION_TYPES)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_plan_checks_withdrawals_referral_outcome"),
    ]

    operations = [
        migrations.AddField(
            model_name="planaction",
            name="action_type",
            field=models.CharField(blank=True, max_length=40, verbose_name="type of action"),
        ),
        migrations.AlterField(
            model_name="listentry",
            name="kind",
            field=models.CharField(
                choices=[
                    ("stream", "Cohort stream"),
                    ("service", "Service"),
                    ("contact_type", "Contact type"),
                    ("action_type", "Plan action type"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(add_action_types, migrations.RunPython.noop),
    ]
