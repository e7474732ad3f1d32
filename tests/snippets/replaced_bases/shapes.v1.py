class Base:
    def hello(self):
        return "base v1"


class Mixin:
    def extra(self):
        return "mixin"


class Shape(Base):
    pass
