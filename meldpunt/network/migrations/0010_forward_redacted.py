from django.db import migrations, models


class Migration(migrations.Migration):
    """Earlier forwards stay None: their redaction drafts are sealed, so it is not known."""

    dependencies = [
        ("network", "0009_partner_hotline_countries"),
    ]

    operations = [
        migrations.AddField(
            model_name="forward",
            name="redacted",
            field=models.BooleanField(default=None, editable=False, null=True),
        ),
    ]
