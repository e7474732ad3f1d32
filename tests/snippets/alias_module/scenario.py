"""A module reachable under two names in sys.modules (an alias): a reload runs it once, and
identity is kept under both names."""

IMPORT = "import sys\nfrom alias_module import core, log\nsys.modules['engine_alias'] = core"
BEFORE = "e = core.Engine(); Engine = core.Engine"
CHECKS = {2: {
    "the module ran once more, once": "log.RUNS == ['alias_module.core', 'alias_module.core']",
    "an old instance runs the new code": "e.run() == 'v2' and core.Engine is Engine",
    "the alias is the same module": "sys.modules['engine_alias'] is core and sys.modules['engine_alias'].Engine is Engine",
}}
