"""``meldpunt hotline_exchange``: address reports exchanged with partner (INHOPE) hotlines.

meldpunt hotline_exchange public-key              our public signing key, for partner hotlines
meldpunt hotline_exchange import FILE [--partner ID]
                                                  import signed address reports from a file
meldpunt hotline_exchange token PARTNER_ID        issue (or replace) a hotline's API token

Partner hotlines, their public keys and the category for their reports are
registered in the admin (Network → Exchanges with partner hotlines).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from meldpunt.hotline.exchange import ExchangeRefused, documents_parse, exchange_public_key
from meldpunt.network.hotline_exchange import (
    Outcome,
    partner_hotline_token_issue,
    partner_reports_import,
)
from meldpunt.network.models import Partner, PartnerHotlineExchange


class Command(BaseCommand):
    help = "Address reports exchanged with partner hotlines (docs/hotline.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        verbs.add_parser("public-key", help="Print this installation's public signing key.")
        importing = verbs.add_parser("import", help="Import signed address reports from a file.")
        importing.add_argument("path", type=Path)
        importing.add_argument(
            "--partner", type=int, help="Refuse documents not signed by this partner's key."
        )
        token = verbs.add_parser("token", help="Issue a new API token for a partner hotline.")
        token.add_argument("partner", type=int)

    # An operator's tool: its messages are in English, whatever language a request left active.
    @no_translations
    def handle(self, *args, verb: str, **options) -> None:
        if verb == "public-key":
            self.stdout.write(exchange_public_key())
        elif verb == "import":
            self._import(options["path"], options["partner"])
        else:
            exchange = PartnerHotlineExchange.objects.filter(partner_id=options["partner"]).first()
            if exchange is None:
                raise CommandError(
                    f"partner {options['partner']} has no exchange registered (see the admin)"
                )
            issued = partner_hotline_token_issue(exchange=exchange)
            self.stdout.write(f"token for {exchange.partner.name} (shown once): {issued.token}")

    def _import(self, path: Path, partner_id: int | None) -> None:
        partner = None
        if partner_id is not None:
            partner = Partner.objects.filter(pk=partner_id).first()
            if partner is None:
                raise CommandError(f"no partner with id {partner_id}")
        try:
            envelopes = documents_parse(path.read_bytes())
            results = partner_reports_import(envelopes=envelopes, partner=partner)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        except ExchangeRefused as refused:
            raise CommandError(f"{path}: {refused.message} Nothing was imported.") from None
        counts = {Outcome.IMPORTED: 0, Outcome.REPLAYED: 0, Outcome.REFUSED: 0}
        for result in results:
            counts[result.outcome] += 1
            name = result.report_id or f"document {result.index + 1}"
            if result.outcome == Outcome.IMPORTED:
                self.stdout.write(f"{name}: imported (address {result.reported_url.pk})")
            else:
                self.stdout.write(f"{name}: {result.outcome} ({result.code}): {result.message}")
        summary = ", ".join(f"{outcome}: {n}" for outcome, n in counts.items())
        if counts[Outcome.REFUSED]:
            raise CommandError(summary)
        self.stdout.write(summary)
