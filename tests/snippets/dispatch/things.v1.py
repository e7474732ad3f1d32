from .core import describe


class Thing:
    size = 1


@describe.register
def _(obj: Thing):
    return "a thing v1"


@describe.register(int)
def _(obj):
    return "an int v1"
