"""A slots dataclass (the decorator builds a new class) and a kw_only dataclass with a
default_factory; the method and the defaults change."""

IMPORT = "from slots_dataclass import model"
BEFORE = "p = model.Point(3, 4); opts = model.Options()"
CHECKS = {2: {
    "an old instance runs the new method": "p.norm() == 5.0",
    "equality with an import-time instance": "model.Point(0, 0) == model.ORIGIN and model.Point(3, 4) == p",
    "isinstance holds": "isinstance(p, model.Point) and isinstance(opts, model.Options)",
    "the new default_factory and default apply": "model.Options().items == ['a'] and model.Options().scale == 2.0",
    "keyword-only is kept": "raises(lambda: model.Options([1]), TypeError) and model.Options(items=[1]).items == [1]",
    "old instances pickle": "pickle.loads(pickle.dumps(p)) == p",
}}
