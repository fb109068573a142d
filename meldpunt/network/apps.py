from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "meldpunt.network"
    verbose_name = _("Forwarding network")

    def ready(self) -> None:
        from django.urls import reverse

        from meldpunt.cases.demo import demo_step_register
        from meldpunt.cases.timeline import timeline_describers_register
        from meldpunt.datadir import installation_secret_register
        from meldpunt.hotline.actionpages import action_page_register
        from meldpunt.hotline.signals import removal_overdue
        from meldpunt.hotline.sources import address_source_register
        from meldpunt.intake.retention import retention_wiper_register
        from meldpunt.network.demo import network_demo_create
        from meldpunt.network.hotline_actions import removal_overdue_notice
        from meldpunt.network.hotline_exchange import partner_sources_describe
        from meldpunt.network.models import PARTNER_SECRETS_KEY
        from meldpunt.network.services import forward_drafts_wipe
        from meldpunt.network.tasks import deliveries_schedule, forward_purge_schedule
        from meldpunt.network.timeline import DESCRIBERS
        from meldpunt.periodic import periodic_register

        # Every machine needs the key that opens the partners' webhook secrets.
        installation_secret_register(PARTNER_SECRETS_KEY)
        retention_wiper_register(forward_drafts_wipe)
        demo_step_register(network_demo_create)
        address_source_register(partner_sources_describe)
        # The case's timeline (cases) cannot import us: it describes our events with these.
        timeline_describers_register(DESCRIBERS)
        periodic_register(deliveries_schedule)
        periodic_register(forward_purge_schedule)
        # The hotline cannot import us: it links to our confirm page and announces
        # overdue removals, and we answer with the reminder notice.
        action_page_register(
            lambda item: reverse("network:hotline_actions", args=[item.report_id, item.pk])
        )
        removal_overdue.connect(removal_overdue_notice, dispatch_uid="network-reminder-notice")
