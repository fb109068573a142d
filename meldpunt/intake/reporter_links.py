"""Other ways to reach a line, offered on the reporter's start and form pages.

The chat sits beside intake in the workflow layer, and imports point downward
only, so intake cannot ask the chat whether it is open. Apps that offer another
way in register a function here from AppConfig.ready() (as with the retention
purges in intake.retention); intake's pages show what those functions return.
"""

from collections.abc import Callable
from dataclasses import dataclass

from meldpunt.lines.models import Line


@dataclass(frozen=True)
class ReporterLink:
    """A link for the reporter: where it goes, what it says, and one line of explanation."""

    url: str
    label: str
    note: str = ""


LinkProvider = Callable[[Line], ReporterLink | None]
_providers: list[LinkProvider] = []


def reporter_link_register(provider: LinkProvider) -> None:
    """Have intake's line and form pages show ``provider(line)`` when it returns a link."""
    if provider not in _providers:
        _providers.append(provider)


def reporter_link_unregister(provider: LinkProvider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def reporter_links(line: Line) -> list[ReporterLink]:
    """The links the registered apps offer for this line right now, in registration order."""
    return [link for provider in _providers if (link := provider(line)) is not None]
