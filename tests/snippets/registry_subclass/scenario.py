"""A base class whose __init_subclass__ records subclasses in a registry of the base's module;
the subclasses' module runs again."""

IMPORT = "from registry_subclass import base, steps"
BEFORE = "s = steps.Scale(); made = base.Step.registry['scale']()"
CHECKS = {2: {
    "an old instance runs the new code": "s.run(1) == 3 and made.run(1) == 3",
    "the registry holds the kept class": "base.Step.registry['scale'] is steps.Scale and base.Step.registry['shift'] is steps.Shift",
    "registry-made objects are instances of the module's class": "isinstance(base.Step.registry['scale'](), steps.Scale) and type(made) is steps.Scale",
    "one Scale among the subclasses": "[c.__name__ for c in base.Step.__subclasses__()].count('Scale') == 1",
    "registry-made objects pickle": "pickle.loads(pickle.dumps(base.Step.registry['shift']())).run(1) == 11",
}}
