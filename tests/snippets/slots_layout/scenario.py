"""A slots dataclass gains a field: the instance layout changes, so the class must be replaced,
and the report says so and names the variables that still hold old instances."""

IMPORT = "from slots_layout import model"
BEFORE = "v = model.Vector(1, 2); vectors = [v]"
CHECKS = {2: {
    "the new class has the new field": "model.Vector(1, 2, 3).length() == 6",
    "the report says it was replaced and why": "'replaced Vector (__slots__ changed' in str(REPORT)",
    "the report names who still holds old instances": "'still held by: v, vectors[0]' in str(REPORT)",
    "old instances keep working with their old class": "v.length() == 3",
}}
