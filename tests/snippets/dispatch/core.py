from functools import singledispatch


@singledispatch
def describe(obj):
    return "an object"
