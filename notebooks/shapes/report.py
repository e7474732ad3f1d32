"""Summaries of collections of shapes."""

from .geometry import Circle, area
from .units import UNIT


def summary(shapes):
    """One line: how many shapes, how many of them are circles, and their total area."""
    total = sum(area(s) for s in shapes)
    circles = sum(isinstance(s, Circle) for s in shapes)
    return f"{len(shapes)} shapes ({circles} circle{'' if circles == 1 else 's'}), total area {total:.4g} {UNIT}²"
