from dataclasses import dataclass


@dataclass(slots=True)
class Vector:
    x: float
    y: float

    def length(self):
        return abs(self.x) + abs(self.y)
