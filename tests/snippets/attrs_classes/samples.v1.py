import attrs


@attrs.define
class Sample:
    alpha: float = 1.0
    label: str = "x"

    def weight(self):
        return self.alpha * 2


@attrs.frozen
class Key:
    name: str
    version: int = attrs.field(default=1)

    @version.validator
    def _check(self, attribute, value):
        if value < 0:
            raise ValueError("negative version")


BASE = Key("base")
