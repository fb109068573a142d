from django.db import migrations


class Migration(migrations.Migration):
    """Whether a municipality receives forwards is now its partner's connection.

    ``network.0004_connection_from_municipality_flag`` copies the old flag to
    the partners before this runs.
    """

    dependencies = [
        ("lines", "0005_municipality_mergers_and_postcodes"),
    ]

    operations = [
        migrations.RemoveField(model_name="municipality", name="is_connected"),
    ]
