"""Durable catalog edits: where each revision came from, what each entry's file last
imported, an `updated_at` that moves only with content, and stored text normalised."""

import django.utils.timezone
from django.db import migrations, models

# The text columns a browser's CRLF or an editor's trailing spaces could reach.
TEXT_COLUMNS = {
    "Vendor": ["name", "summary", "description", "no_compliant_explanation"],
    "SetupMethod": ["title", "steps"],
    "MethodParameter": ["label", "help", "example"],
    "RecordRequirement": ["note"],
    "DocumentationLink": ["title"],
}


def normalise(value: str) -> str:
    # A copy of sources.catalogfile.normalise_text as it was when written.
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in value.split("\n")).strip()


def forwards(apps, schema_editor):
    Revision = apps.get_model("sources", "Revision")
    Revision.objects.filter(submission__isnull=False).update(origin="moderation")
    Revision.objects.filter(restored_from__isnull=False).update(origin="restore")
    Revision.objects.filter(summary__startswith="Edited in the admin").update(origin="admin")
    Revision.objects.filter(summary="The entry before its first recorded change").update(
        origin="import"
    )
    for model_name, columns in TEXT_COLUMNS.items():
        model = apps.get_model("sources", model_name)
        for row in model.objects.only("pk", *columns).iterator():
            changed = {c: normalise(getattr(row, c)) for c in columns}
            changed = {c: v for c, v in changed.items() if v != getattr(row, c)}
            if changed:
                model.objects.filter(pk=row.pk).update(**changed)


class Migration(migrations.Migration):

    dependencies = [
        ("sources", "0010_worker_heartbeat"),
    ]

    operations = [
        migrations.AddField(
            model_name="revision",
            name="origin",
            field=models.CharField(
                choices=[
                    ("import", "Catalog file import"),
                    ("moderation", "Approved submission"),
                    ("admin", "Edited in the admin"),
                    ("restore", "Restored revision"),
                ],
                default="moderation",
                max_length=12,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="vendor",
            name="imported_data",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="vendor",
            name="updated_at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, editable=False
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
