from typing import NamedTuple


class Pair(NamedTuple):
    left: int
    right: int = 5

    def total(self):
        return self.left * 10 + self.right

    def swapped(self):
        return Pair(self.right, self.left)


ZERO = Pair(0)
