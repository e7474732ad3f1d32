import functools

import numpy as np


def plain_decorator(fn):
    def wrapper(*args):
        return fn(*args)
    return wrapper


def wraps_decorator(fn):
    @functools.wraps(fn)
    def wrapper(*args):
        return fn(*args)
    return wrapper


@plain_decorator
def greet(name):
    return f"hey {name}"


@wraps_decorator
def shout(name):
    return name.upper() + "!"


def scale(x, factor):
    return x * factor + 1


double = functools.partial(scale, factor=2)


@functools.lru_cache(maxsize=None)
def square(x):
    return ("v3", x * x)


@functools.cache
def cube(x):
    return ("v2", x ** 3)


def _clip(x):
    return min(x, 3)


vclip = np.vectorize(_clip)

VERSION = 3
