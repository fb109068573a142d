from django.db import migrations
from django.utils import timezone


def connect_flagged_municipalities(apps, schema_editor):
    """Municipality partners of a municipality marked connected stay connected, from today."""
    Partner = apps.get_model("network", "Partner")
    Partner.objects.filter(
        kind="municipality", municipality__is_connected=True, connected_from__isnull=True
    ).update(connected_from=timezone.localdate())


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0003_connection_and_routing_rules"),
    ]
    run_before = [
        ("lines", "0006_remove_municipality_is_connected"),
    ]

    operations = [
        migrations.RunPython(connect_flagged_municipalities, migrations.RunPython.noop),
    ]
