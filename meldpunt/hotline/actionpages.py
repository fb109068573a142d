"""Where the analyst confirms the actions on an address: a page the network app owns.

The hotline may not import the network app (it sits above), so the network
registers the address of its confirm page here from its AppConfig.ready, and the
hotline page links to whatever is registered (nothing when no app registered).
"""

from collections.abc import Callable

from meldpunt.hotline.models import ReportedUrl

_pages: list[Callable[[ReportedUrl], str]] = []


def action_page_register(page_url: Callable[[ReportedUrl], str]) -> None:
    """Register the function that gives the confirm page of an address (once per app)."""
    if page_url not in _pages:
        _pages.append(page_url)


def action_page_url(item: ReportedUrl) -> str:
    """The confirm page of ``item``, or '' when no app offers one."""
    return _pages[0](item) if _pages else ""
