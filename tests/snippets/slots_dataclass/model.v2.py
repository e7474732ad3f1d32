from dataclasses import dataclass, field


@dataclass(slots=True, frozen=True)
class Point:
    x: float
    y: float

    def norm(self):
        return (self.x ** 2 + self.y ** 2) ** 0.5


ORIGIN = Point(0, 0)


@dataclass(kw_only=True)
class Options:
    items: list = field(default_factory=lambda: ["a"])
    scale: float = 2.0
