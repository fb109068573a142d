"""Partners for ``meldpunt demo``: forwarding end to end, with and without a connection.

The police unit receives every report of the crime-tips lines; a report located
in Amsterdam (connected) also goes to the municipality, one in Vught (whose
connection ended yesterday) does not, and the prepare page says why. Each
partner has one member who can sign in at /partner/.
"""

from datetime import timedelta
from decimal import Decimal
from typing import TextIO

from django.utils import timezone

from meldpunt.cases.demo import demo_account_create
from meldpunt.lines.models import Line, LineKind, Municipality
from meldpunt.vault.models import Role

from .models import Partner, PartnerKind, PartnerMembership, RecipientKind, RoutingRule


def network_demo_create(stdout: TextIO) -> None:
    """Create the demo partners, their members and the routing rules (once)."""
    lines = list(Line.objects.filter(kind=LineKind.TIPS))
    if Partner.objects.exists() or not lines:
        return
    today = timezone.localdate()
    partners = [
        ("politie", Partner(name="Politie Eenheid Amsterdam", kind=PartnerKind.POLICE)),
        (
            "gemeente-amsterdam",
            Partner(
                name="Gemeente Amsterdam",
                kind=PartnerKind.MUNICIPALITY,
                municipality=Municipality.objects.get(code="GM0363"),
                connected_from=today - timedelta(days=180),
                fee_per_forward=Decimal("2.50"),
            ),
        ),
        (
            "gemeente-vught",
            Partner(
                name="Gemeente Vught",
                kind=PartnerKind.MUNICIPALITY,
                municipality=Municipality.objects.get(code="GM0865"),
                connected_from=today - timedelta(days=366),
                connected_until=today - timedelta(days=1),
                fee_per_forward=Decimal("2.50"),
            ),
        ),
    ]
    stdout.write("Demo partner members (shown once; start at /partner/ and sign in):\n")
    for username, partner in partners:
        partner.full_clean()
        partner.save()
        partner.lines.set(lines)
        member = demo_account_create(username=username, role=Role.PARTNER, stdout=stdout)
        PartnerMembership.objects.create(partner=partner, user=member)
    for line in lines:
        RoutingRule.objects.create(
            line=line, recipient=RecipientKind.PARTNER, partner=partners[0][1]
        )
        RoutingRule.objects.create(line=line, recipient=RecipientKind.REPORT_MUNICIPALITY)
