import attrs


@attrs.define
class Sample:
    alpha: float = attrs.field(default=1.0, converter=float)
    label: str = "x"

    def weight(self):
        return self.alpha * 3


@attrs.frozen
class Key:
    name: str
    version: int = attrs.field(default=1)

    @version.validator
    def _check(self, attribute, value):
        if value < 1:
            raise ValueError("version must be positive")


BASE = Key("base")
