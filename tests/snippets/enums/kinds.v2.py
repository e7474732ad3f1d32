import enum


class Color(enum.Enum):
    RED = 1
    BLUE = 3

    def label(self):
        return self.name.upper()


class Level(enum.IntEnum):
    LOW = 1
    MID = 2
    HIGH = 3


class Perm(enum.Flag):
    R = 4
    W = 2
    X = 1

    def readable(self):
        return Perm.R in self
