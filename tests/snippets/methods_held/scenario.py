"""Methods of every kind taken out of the class or an instance (bound methods, a classmethod, a
staticmethod, a property); bodies change and a method is added (v2, in place), then a class
attribute too (v3, the module runs again). The instance made before stays an instance of the
class, which stays the same object."""

IMPORT = "from methods_held import factory"
BEFORE = "f = factory.Factory(); Factory = factory.Factory; m = f.make; k = factory.Factory.create; s = factory.Factory.helper; prop = factory.Factory.kind; counts = {factory.Factory: 0}"
CHECKS = {
    2: {
        "a bound method": "m() == 'make v2'",
        "a classmethod taken from the class": "k() == ('create v2', 'Factory')",
        "a staticmethod taken from the class": "s() == 'helper v2'",
        "a property, through the instance and the property object": "f.kind == 'kind v2' and prop.fget(f) == 'kind v2'",
        "a method added to the class reaches the old instance": "f.added() == ('added v2', 6)",
        "the class is the same object": "factory.Factory is Factory and type(f) is factory.Factory",
    },
    3: {
        "a bound method": "m() == 'make v3'",
        "a classmethod taken from the class": "k() == ('create v3', 'Factory')",
        "a staticmethod taken from the class": "s() == 'helper v3'",
        "a property, through the instance and the property object": "f.kind == 'kind v3' and prop.fget(f) == 'kind v3'",
        "class attribute and dicts keyed by the class": "factory.Factory.count == 1 and counts[type(f)] == 0",
        "the added method, changed": "f.added() == ('added v3', 6) and isinstance(f, factory.Factory)",
    },
}
