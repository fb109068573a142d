"""Settings of the forwarding network, overridable in Django settings (docs/forwarding.md)."""

from typing import Any

from django.conf import settings

DEFAULTS = {
    # A notification mail that failed this many times is given up (the forward
    # then shows "not notified" to the staff, who call the partner).
    "NETWORK_NOTIFICATION_MAX_ATTEMPTS": 10,
}


def network_setting(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])
