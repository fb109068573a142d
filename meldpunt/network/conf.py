"""Settings of the forwarding network, overridable in Django settings (docs/forwarding.md)."""

from typing import Any

from django.conf import settings

DEFAULTS = {
    # A notification mail that failed this many times is given up (the forward
    # then shows "not notified" to the staff, who call the partner).
    "NETWORK_NOTIFICATION_MAX_ATTEMPTS": 10,
    # An e-mail or webhook delivery that failed this many times is failed, and
    # the administrators are mailed. The pauses between attempts double from
    # NETWORK_DELIVERY_RETRY_SECONDS (30 s, 1, 2, 4 … minutes, at most 6 hours).
    "NETWORK_DELIVERY_MAX_ATTEMPTS": 8,
    "NETWORK_DELIVERY_RETRY_SECONDS": 30,
    # A webhook that neither connects nor answers within this is an attempt failed.
    "NETWORK_WEBHOOK_TIMEOUT_SECONDS": 10,
    # Days a partner's copy of a report is kept when the partner sets none
    # (Partner.forward_retention_days); then text, files and key are destroyed.
    "NETWORK_FORWARD_RETENTION_DAYS": 365,
}


def network_setting(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])
