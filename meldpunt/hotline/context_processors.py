"""The hotline's links in the staff navigation (templates/staff_base.html)."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from meldpunt.hotline.selectors import hotline_navigation


def _navigation(request: HttpRequest) -> dict[str, bool]:
    user = getattr(request, "user", None)  # none on pages rendered before authentication
    if user is None or not user.is_authenticated:
        return {}
    return hotline_navigation(user)


def navigation(request: HttpRequest) -> dict[str, SimpleLazyObject]:
    """``hotline_nav.queue`` and ``hotline_nav.monitor``: whether to link to those pages.

    Lazy: worked out (one query) only when a page shows the staff navigation;
    the public pages never touch the user or the session for it.
    """
    return {"hotline_nav": SimpleLazyObject(lambda: _navigation(request))}
