"""The incident's sentiment level, as paging sees it, without on-call importing the feature that computes it.

crisis.listening registers its selector from its AppConfig.ready; with no provider the level is 0 (calm),
and policies that ask for a sentiment level are never chosen.
"""

from collections.abc import Callable

_provider: list[Callable[..., int]] = []


def sentiment_level_provider_register(provider: Callable[..., int]) -> None:
    _provider[:] = [provider]


def sentiment_level_of(incident) -> int:
    return _provider[0](incident) if _provider else 0
