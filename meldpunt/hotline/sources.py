"""Where a reported address came from, told to the analyst by the apps that know.

Addresses from the public form need no label. Those a partner hotline sent are
recorded by ``network``, which the hotline may not import; network registers a
describer here from AppConfig.ready() and the analyst's page asks it.
"""

from collections.abc import Callable, Iterable

from meldpunt.hotline.models import ReportedUrl

# Takes addresses, returns {address id: text for the analyst} for those it knows.
SourceDescriber = Callable[[list[ReportedUrl]], dict[int, str]]
_describers: list[SourceDescriber] = []


def address_source_register(describer: SourceDescriber) -> None:
    if describer not in _describers:
        _describers.append(describer)


def address_sources(items: Iterable[ReportedUrl]) -> dict[int, str]:
    """What the registered apps say about where each address came from."""
    items = list(items)
    sources: dict[int, str] = {}
    for describer in _describers:
        sources.update(describer(items))
    return sources
