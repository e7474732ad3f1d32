"""A definition changes shape: a decorator is added to one function and removed from another.
The module binds the new objects; references taken before run the new code, and the report
lists both as replaced, with who holds the old ones."""

IMPORT = "from shape_change import calc"
BEFORE = "c = calc.compute; t = calc.total; t(1)"
CHECKS = {2: {
    "the old reference runs the new code": "c(1) == 101 and t(1) == 3",
    "the module binds the new shape": "calc.compute(1) == 101 and hasattr(calc.compute, 'cache_info') and not hasattr(calc.total, 'cache_info')",
    "the report lists both as replaced": "'replaced compute (it changed shape' in str(REPORT) and 'replaced total (it changed shape' in str(REPORT)",
    "the report names who holds the old objects": "'still held by: c' in str(REPORT) and 'still held by: t' in str(REPORT)",
}}
