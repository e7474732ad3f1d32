"""attrs classes (slotted by default): a field gains a converter, a validator changes, a method
changes; the module runs again."""

IMPORT = "import attrs\nfrom attrs_classes import samples"
BEFORE = "s = samples.Sample(alpha=2.0); base = samples.BASE; keys = {base: 'b'}"
CHECKS = {2: {
    "an old instance runs the new method": "s.weight() == 6.0",
    "the new converter runs": "samples.Sample(alpha='2').alpha == 2.0",
    "the new validator runs": "raises(lambda: samples.Key('k', 0), ValueError) and samples.Key('k', 1).version == 1",
    "isinstance and evolve": "isinstance(s, samples.Sample) and attrs.evolve(s, alpha=5).weight() == 15.0",
    "equality and hash with old instances": "samples.Key('base') == base and keys[samples.Key('base')] == 'b'",
    "frozen instances stay frozen": "raises(lambda: setattr(base, 'name', 'x'), attrs.exceptions.FrozenInstanceError)",
    "old instances pickle": "pickle.loads(pickle.dumps(s)) == s",
}}
