"""zenoo_frames: Odoo records as Arrow tables, Polars and pandas frames, with lazy pushdown scans.

Edited frames go back with :func:`diff` and :meth:`Changes.apply` (:mod:`zenoo_frames.writeback`).
Types follow :mod:`zenoo_frames.schema` (one mapping from ``fields_get``); fetching follows
:mod:`zenoo_frames.fetch` (one search, concurrent read chunks, one display-name read per relation),
as told by one :class:`FetchOptions` (:mod:`zenoo_frames.options`).
"""

from typing import Any

from zenoo._deprecation import warn_renamed
from zenoo_frames.api import (
    arrow_c_stream,
    arrow_to_polars,
    iter_batches,
    scan_odoo,
    to_arrow,
    to_pandas,
    to_parquet,
    to_polars,
)
from zenoo_frames.fetch import MISSING_IDS_METADATA_KEY, FetchReport, MissingRecordsWarning
from zenoo_frames.options import FetchOptions
from zenoo_frames.rows import UnknownSelectionWarning
from zenoo_frames.schema import DISPLAY_NAME_SUFFIX, EXCLUDED_BY_DEFAULT, FrameSchema
from zenoo_frames.writeback import Changes, WriteBackResult, diff

__all__ = [
    "DISPLAY_NAME_SUFFIX",
    "EXCLUDED_BY_DEFAULT",
    "MISSING_IDS_METADATA_KEY",
    "Changes",
    "FetchOptions",
    "FetchReport",
    "FrameSchema",
    "MissingRecordsWarning",
    "UnknownSelectionWarning",
    "WriteBackResult",
    "arrow_c_stream",
    "arrow_to_polars",
    "diff",
    "iter_batches",
    "scan_odoo",
    "to_arrow",
    "to_pandas",
    "to_parquet",
    "to_polars",
]


def __getattr__(name: str) -> Any:
    if name == "lazy":  # the module-level scan's former name (``qs.lazy()`` keeps its name)
        warn_renamed(__name__, name, "scan_odoo")
        return scan_odoo
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
