from dataclasses import dataclass


@dataclass(frozen=True)
class Point:
    x: float
    y: float = 0.0

    def norm(self):
        return abs(self.x) + abs(self.y)


ORIGIN = Point(0, 0)


@dataclass(frozen=True)
class Config:
    name: str = "default"
    tags: tuple = ()


DEFAULT = Config()
