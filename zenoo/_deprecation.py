"""Names kept for existing code after a rename: using one warns, with the name to use instead."""

from __future__ import annotations

import warnings


def warn_renamed(module: str, old: str, new: str) -> None:
    """Warn the code that looked up ``module.old`` (through a module ``__getattr__``) to use ``new``."""
    warnings.warn(f"{module}.{old} is deprecated: use {new}, its new name", DeprecationWarning, stacklevel=3)
