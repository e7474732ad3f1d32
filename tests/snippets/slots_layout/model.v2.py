from dataclasses import dataclass


@dataclass(slots=True)
class Vector:
    x: float
    y: float
    z: float = 0.0

    def length(self):
        return abs(self.x) + abs(self.y) + abs(self.z)
