from typing import NamedTuple


class Pair(NamedTuple):
    left: int
    right: int = 0

    def total(self):
        return self.left + self.right


ZERO = Pair(0)
