class NoChange:
    """The type of a "leave it as it is" default."""


NO_CHANGE = NoChange()


class Point:
    def __init__(self, x):
        self.x = x


Point.ORIGIN = Point(0)
POINTS = [Point(1)]


def update(width=NO_CHANGE):
    return "kept" if isinstance(width, NoChange) else width
