"""Frozen dataclasses with instances made at import (ORIGIN, DEFAULT); a method changes and a
field is added, so the module runs again."""

IMPORT = "from frozen_dataclass import shapes"
BEFORE = "p = shapes.Point(3, 4); origin = shapes.ORIGIN; seen = {p}; cfg = shapes.DEFAULT"
CHECKS = {2: {
    "an old instance runs the new method": "p.norm() == 5.0",
    "new instances equal old ones": "shapes.Point(3, 4) == p and shapes.Point(0, 0) == shapes.ORIGIN",
    "isinstance holds for old and import-time instances": "isinstance(p, shapes.Point) and type(shapes.ORIGIN) is type(p)",
    "hash is consistent (sets of old instances)": "shapes.Point(3, 4) in seen",
    "instances are still frozen": "raises(lambda: setattr(p, 'x', 1), dataclasses.FrozenInstanceError)",
    "the added field has its default": "shapes.Config().level == 1 and shapes.DEFAULT.level == 1",
    "fields are the new ones": "[f.name for f in dataclasses.fields(shapes.Config)] == ['name', 'tags', 'level']",
    "old instances pickle": "pickle.loads(pickle.dumps(p)) == p",
}}
