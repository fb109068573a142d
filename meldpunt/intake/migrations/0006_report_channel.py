from django.db import migrations, models

CHANNELS = [
    ("form", "Web form"),
    ("api", "API"),
    ("chat", "Chat"),
    ("web_address", "Web address (content hotline form)"),
    ("partner_hotline", "Partner hotline"),
    ("unknown", "Not known"),
]


def channels_fill(apps, schema_editor) -> None:
    """Existing reports get the channel their own rows still show; the rest stay "unknown".

    A partner hotline's report has an address with a partner source, a chat's
    report is linked from the chat. Nothing stored tells a web-form report from
    one sent through the API, so those are not guessed.
    """
    Report = apps.get_model("intake", "Report")
    Report.objects.filter(hotline_urls__partner_source__isnull=False).update(
        channel="partner_hotline"
    )
    Report.objects.filter(chat__isnull=False).update(channel="chat")


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0005_purged_material_count"),
        ("chat", "0001_chat_lines_messages_figures"),
        ("hotline", "0007_latest_check_indexes"),
        ("network", "0009_partner_hotline_countries"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="channel",
            field=models.CharField(
                choices=CHANNELS, default="unknown", editable=False, max_length=20
            ),
        ),
        migrations.RunPython(channels_fill, migrations.RunPython.noop),
    ]
