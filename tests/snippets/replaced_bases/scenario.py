"""A class whose bases change must be replaced; its bases are the kept versions of the classes
the module defines again."""

IMPORT = "from replaced_bases import shapes"
BEFORE = "Base, Mixin = shapes.Base, shapes.Mixin; old = shapes.Shape()"
CHECKS = {2: {
    "the kept base and mixin": "shapes.Base is Base and shapes.Mixin is Mixin",
    "the replacement subclasses the kept classes": "issubclass(shapes.Shape, Base) and issubclass(shapes.Shape, Mixin)",
    "it runs the new inherited code": "shapes.Shape().hello() == 'base v2' and shapes.Shape().extra() == 'mixin'",
    "the report says why": "'replaced Shape (base classes changed)' in str(REPORT)",
    "an old instance still runs the new base code": "old.hello() == 'base v2'",
}}
