"""Enum, IntEnum and Flag: members added and removed, a method changed and one added; members
held by the user keep their identity."""

IMPORT = "from enums import kinds"
BEFORE = "red = kinds.Color.RED; green = kinds.Color.GREEN; low = kinds.Level.LOW; rw = kinds.Perm.R | kinds.Perm.W; names = {red: 'r'}"
CHECKS = {2: {
    "a held member is the member": "kinds.Color.RED is red and kinds.Color(1) is red",
    "a held member runs the new method": "red.label() == 'RED'",
    "an added member belongs to the kept class": "isinstance(kinds.Color.BLUE, type(red)) and kinds.Color(3) is kinds.Color.BLUE",
    "a removed member is gone": "not hasattr(kinds.Color, 'GREEN') and list(kinds.Color) == [red, kinds.Color.BLUE]",
    "dicts keyed by members": "names[kinds.Color.RED] == 'r'",
    "IntEnum members compare as before and with the new one": "low is kinds.Level.LOW and low == 1 and kinds.Level.LOW < kinds.Level.MID < kinds.Level.HIGH",
    "Flag combinations": "rw == kinds.Perm.R | kinds.Perm.W and rw.readable() and not kinds.Perm.X.readable()",
    "members pickle to themselves": "pickle.loads(pickle.dumps(red)) is red and pickle.loads(pickle.dumps(rw)) == rw",
}}
