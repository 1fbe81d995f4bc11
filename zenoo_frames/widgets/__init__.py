"""Notebook widgets (ipywidgets 8, from the ``jupyter`` extra): :class:`ModelBrowser`."""

from zenoo_frames.widgets.browser import ModelBrowser
from zenoo_frames.widgets.panels import Place
from zenoo_frames.widgets.requests import Pending

__all__ = ["ModelBrowser", "Pending", "Place"]
