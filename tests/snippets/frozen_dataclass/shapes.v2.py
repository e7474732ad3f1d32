from dataclasses import dataclass


@dataclass(frozen=True)
class Point:
    x: float
    y: float = 0.0

    def norm(self):
        return (self.x ** 2 + self.y ** 2) ** 0.5


ORIGIN = Point(0, 0)


@dataclass(frozen=True)
class Config:
    name: str = "default"
    tags: tuple = ()
    level: int = 1


DEFAULT = Config()
