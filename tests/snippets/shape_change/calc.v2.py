import functools


@functools.lru_cache(maxsize=None)
def compute(x):
    return x + 100


def total(x):
    return x * 3
