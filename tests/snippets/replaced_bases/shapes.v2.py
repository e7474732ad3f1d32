class Base:
    def hello(self):
        return "base v2"


class Mixin:
    def extra(self):
        return "mixin"


class Shape(Base, Mixin):
    pass
