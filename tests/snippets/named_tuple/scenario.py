"""A typing.NamedTuple: a method body changes and one is added (v2); a default changes, so the
class statement runs again (v3)."""

IMPORT = "from named_tuple import pairs"
BEFORE = "pair = pairs.Pair(1, 2); zero = pairs.ZERO"
CHECKS = {
    2: {
        "an old instance runs the new method": "pair.total() == 12",
        "an old instance has the added method": "pair.swapped() == (2, 1) and isinstance(pair.swapped(), pairs.Pair)",
        "_make and equality": "pairs.Pair._make([1, 2]) == pair and pairs.ZERO == zero",
    },
    3: {
        "the class keeps its identity": "type(pair) is pairs.Pair and isinstance(zero, pairs.Pair)",
        "the new default applies": "pairs.Pair(1).right == 5 and pairs.ZERO == (0, 5)",
        "old instances pickle": "pickle.loads(pickle.dumps(pair)) == pair",
    },
}
