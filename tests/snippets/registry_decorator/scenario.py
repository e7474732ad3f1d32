"""A @register decorator that stores classes and functions in a dict of another module; the
plugins' module runs again."""

IMPORT = "from registry_decorator import registry, plugins"
BEFORE = "reader = registry.HANDLERS['csv'](); parse = registry.HANDLERS['json']"
CHECKS = {2: {
    "the registry holds the kept class and function": "registry.HANDLERS['csv'] is plugins.CsvReader and registry.HANDLERS['json'] is plugins.read_json",
    "an old instance runs the new code": "reader.read('a; b') == ['a', 'b']",
    "a held function runs the new code": "parse('x') == ('json v2', 'x')",
    "objects made from the registry are instances of the module's class": "isinstance(registry.HANDLERS['csv'](), plugins.CsvReader)",
}}
