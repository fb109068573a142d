"""The webhook address of a partner: checked when an administrator saves the partner."""

import ipaddress

from django.utils.translation import gettext as _

from meldpunt.lines.webaddress import UrlRefused, WebAddress, url_normalise

MIN_SECRET_CHARS = 32


class WebhookUrlRefused(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def webhook_url_check(text: str) -> WebAddress:
    """The normalised webhook address; raises WebhookUrlRefused with the reason.

    https only: the body is encrypted, but the signature, the delivery's
    identifier and the fact of a forward should not travel in the clear either.
    Plain http is accepted for a loopback IP address only (``http://127.0.0.1:8080/``:
    a relay on the same machine, and the tests), where nothing crosses a network.
    """
    text = (text or "").strip()
    try:
        address = url_normalise(text)
    except UrlRefused:
        raise WebhookUrlRefused(
            _("Enter the full address of the webhook, starting with https://.")
        ) from None
    if not text.lower().startswith(address.scheme + "://"):
        raise WebhookUrlRefused(_("Enter the full address of the webhook, starting with https://."))
    if address.scheme != "https" and not _is_loopback(address.host):
        raise WebhookUrlRefused(
            _("The webhook must use https:// (plain http only on this machine itself).")
        )
    return address
