"""A tiny example package for the ipy_reimport demo notebook."""

from .geometry import Circle, Square, area
from .report import summary

__all__ = ["Circle", "Square", "area", "summary"]
