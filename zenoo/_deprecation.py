"""Names kept for existing code after a rename: using one warns, with the name to use instead."""

from __future__ import annotations

import warnings


def warn_renamed(module: str, old: str, new: str) -> None:
    """Warn the code that looked up ``module.old`` (through a module ``__getattr__``) to use ``new``."""
    warnings.warn(f"{module}.{old} is deprecated: use {new}, its new name", DeprecationWarning, stacklevel=3)


def warn_deprecated(old: str, new: str, *, stacklevel: int = 2) -> None:
    """Warn that ``old`` (a property or keyword, as the user wrote it) is deprecated for ``new``.

    ``stacklevel`` counts from the function that calls this one, as :func:`warnings.warn` does:
    2 points at the code that called it.
    """
    warnings.warn(f"{old} is deprecated: use {new}", DeprecationWarning, stacklevel=stacklevel + 1)
