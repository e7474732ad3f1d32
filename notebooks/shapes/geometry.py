"""Shapes measured in drawing units; lengths and areas are reported in units.UNIT."""

import math

from .units import SCALE, UNIT


class Circle:
    def __init__(self, r):
        self.r = r

    def area(self):
        return math.pi * (self.r * SCALE) ** 2

    def describe(self):
        return f"circle of radius {self.r * SCALE:g} {UNIT}"


class Square:
    def __init__(self, side):
        self.side = side

    def area(self):
        return (self.side * SCALE) ** 2

    def describe(self):
        return f"square of side {self.side * SCALE:g} {UNIT}"


def area(shape):
    """The area of any shape, in UNIT squared."""
    return shape.area()
