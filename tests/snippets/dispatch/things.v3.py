from .core import describe


class Thing:
    size = 3


@describe.register
def _(obj: Thing):
    return f"a thing of size {obj.size}"


@describe.register(int)
def _(obj):
    return "an int v3"
