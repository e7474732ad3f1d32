import enum


class Color(enum.Enum):
    RED = 1
    GREEN = 2

    def label(self):
        return self.name.lower()


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 3


class Perm(enum.Flag):
    R = 4
    W = 2
    X = 1
