"""A registry that refuses a second registration of a name (as networkx's dispatcher, plugin
systems and ORM bases do), and a log of module executions."""

LOADS = []
TABLE = {}


def register(name):
    def record(fn):
        if name in TABLE:
            raise KeyError(f"{name} is already registered")
        TABLE[name] = fn
        return fn

    return record
