from dataclasses import dataclass, field


@dataclass(slots=True, frozen=True)
class Point:
    x: float
    y: float

    def norm(self):
        return abs(self.x) + abs(self.y)


ORIGIN = Point(0, 0)


@dataclass(kw_only=True)
class Options:
    items: list = field(default_factory=list)
    scale: float = 1.0
