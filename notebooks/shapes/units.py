"""Units of the drawings: one drawing unit is SCALE of UNIT."""

UNIT = "cm"
SCALE = 1.0
