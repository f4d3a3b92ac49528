"""coder: event-data coding of English and French news into ACLED / CAMEO / PLOVER records.

>>> from coder import Coder
>>> coder = Coder.load()                                   # doctest: +SKIP
>>> records = coder.code("Gunmen killed five villagers on Sunday.", date="2024-03-31")  # doctest: +SKIP
"""

__version__ = "0.1.0"

from coder.schema import Actor, Article, EventRecord, Location  # noqa: E402

__all__ = ["Actor", "Article", "Coder", "EventRecord", "Location", "__version__"]


def __getattr__(name: str):
    if name == "Coder":
        from coder.pipeline import Coder

        return Coder
    raise AttributeError(name)
