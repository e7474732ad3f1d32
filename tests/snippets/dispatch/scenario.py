"""functools.singledispatch: implementations registered from another module; their bodies
change (v2), then a class statement changes so the module runs again (v3)."""

IMPORT = "from dispatch import core, things"
BEFORE = "thing = things.Thing(); core.describe(thing); core.describe(1)"
CHECKS = {
    2: {
        "dispatch runs the new implementation": "core.describe(thing) == 'a thing v2' and core.describe(1) == 'an int v2'",
    },
    3: {
        "dispatch on an old instance runs the new implementation": "core.describe(thing) == 'a thing of size 3'",
        "dispatch on a new instance": "core.describe(things.Thing()) == 'a thing of size 3' and core.describe(2) == 'an int v3'",
        "one registration per class": "[getattr(k, '__name__', '') for k in core.describe.registry].count('Thing') == 1",
    },
}
