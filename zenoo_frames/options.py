"""How a frame is fetched: :class:`FetchOptions`, the one object every frame function takes.

Every frame function (``to_arrow``, ``to_polars``, ``to_pandas``, ``to_parquet``, ``iter_batches``,
``scan_odoo``, the Arrow C stream, and the QuerySet methods that forward to them) accepts
``options=FetchOptions(...)`` and the same settings as keywords (``chunk_size=``, ``concurrency=``,
``display_names=``, ``progress=``, typed by :class:`FetchKeywords`). Keywords replace the fields
of ``options``; :meth:`FetchOptions.merge` is the one place that combines and validates them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, TypedDict

from zenoo.exceptions import ConfigurationError

__all__ = ["DEFAULT_CONCURRENCY", "FetchKeywords", "FetchOptions"]

#: Reads in flight at once unless told otherwise.
DEFAULT_CONCURRENCY = 4

#: Bounds of the automatic chunk size. Below the minimum, the per-request cost of a real server
#: (~50 ms) would dominate; above the maximum, one read holds the server worker too long.
MIN_AUTO_CHUNK = 500
MAX_AUTO_CHUNK = 2000
#: The automatic chunk size keeps the rows in flight (chunk × concurrency) at most this share of
#: the result (within the bounds above), so the fetch's memory stays close to the result's own.
IN_FLIGHT_SHARE = 1 / 16


@dataclass(frozen=True, kw_only=True)
class FetchOptions:
    """How to fetch a frame. Immutable; derive a variant with ``dataclasses.replace``.

    ``chunk_size``: ids per ``read`` (the batch size of streams and scans); ``None`` derives it
    from the result size (:meth:`chunk_for`). ``concurrency``: reads in flight at once.
    ``display_names``: add a ``<field>.display_name`` column next to each many2one.
    ``progress``: a ``tqdm.auto`` bar when a fetch lasts longer than a second.
    """

    chunk_size: int | None = None
    concurrency: int = DEFAULT_CONCURRENCY
    display_names: bool = True
    progress: bool = True

    def __post_init__(self) -> None:
        if self.chunk_size is not None and (
            isinstance(self.chunk_size, bool) or not isinstance(self.chunk_size, int) or self.chunk_size < 1
        ):
            raise ConfigurationError(
                f"chunk_size must be a positive integer or None (automatic), got {self.chunk_size!r}"
            )
        if (
            isinstance(self.concurrency, bool)
            or not isinstance(self.concurrency, int)
            or self.concurrency < 1
        ):
            raise ConfigurationError(f"concurrency must be a positive integer, got {self.concurrency!r}")
        for name in ("display_names", "progress"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigurationError(f"{name} must be True or False, got {getattr(self, name)!r}")

    @classmethod
    def merge(
        cls, options: FetchOptions | None, keywords: Mapping[str, Any], *, default: FetchOptions | None = None
    ) -> FetchOptions:
        """``options`` (else ``default``, else the defaults) with the fields given as ``keywords``
        replaced; unknown keywords and bad values raise ConfigurationError."""
        if options is not None and not isinstance(options, FetchOptions):
            raise ConfigurationError(f"options must be a zenoo_frames.FetchOptions, got {options!r}")
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(keywords) - known)
        if unknown:
            raise ConfigurationError(
                f"unknown fetch option {', '.join(map(repr, unknown))}"
                f" (the options are {', '.join(sorted(known))})"
            )
        base = options if options is not None else default if default is not None else cls()
        return replace(base, **keywords)

    def chunk_for(self, total: int) -> int:
        """Ids per read for a result of ``total`` rows: the given size, or else the automatic one
        (rows in flight at most ``IN_FLIGHT_SHARE`` of the result, within the auto bounds)."""
        if self.chunk_size is not None:
            return self.chunk_size
        share = math.ceil(total * IN_FLIGHT_SHARE / self.concurrency)
        return max(MIN_AUTO_CHUNK, min(MAX_AUTO_CHUNK, share))


class FetchKeywords(TypedDict, total=False):
    """The fields of :class:`FetchOptions` as keywords of the frame functions (``**keywords``)."""

    chunk_size: int | None
    concurrency: int
    display_names: bool
    progress: bool
