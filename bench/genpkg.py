"""Generators of the synthetic packages the benchmark imports and edits.

``benchpkg`` (see :func:`generate`) has a root module ``base`` (``CONST``), N modules ``mNNN``
that all depend on it, and a mid-size module ``shapes`` imported by ten modules ``s00``..``s09``
(used by the repeated-edit scenario). Every file gets an explicit mtime in the past; edits set
explicit, clearly different mtimes, so nothing depends on the clock's resolution.
"""

from __future__ import annotations

import os
import random
import tempfile
import time

PAST = int(time.time()) - 86_400
SHAPES_USERS = 10

BASE = '''"""Root module: every mNNN module depends on it."""

CONST = {const}


class Base:
    """Common base of the generated classes."""

    scale = CONST

    def __init__(self, x=0):
        self.x = x

    def value(self):
        return self.x * CONST


class Settings:
    """A small settings holder."""

    def __init__(self, **kw):
        self.kw = dict(kw, const=CONST)


def double(x):
    return {factor} * x * CONST


def describe(obj):
    return f"{{type(obj).__name__}}({{obj.value()}})"
'''

MODULE = '''"""Generated module {num}."""

from .base import CONST, Base, double
{imports}

VALUE = CONST * 2


class Thing{num}(Base):
    """Depends on base.Base."""

    def value(self):
        return super().value() + VALUE


def f{num}_a(x):
    return double(x) + {use}


def f{num}_b(items):
    return [Thing{num}(i).value() for i in items]
'''

SHAPES = '''"""Mid-size module edited repeatedly by the benchmark (version {version})."""

import math
from dataclasses import dataclass

VERSION = {version}


class Shape:
    """A named shape."""

    kind = "shape"

    def __init__(self, name=""):
        self.name = name

    def area(self):
        return 0.0

    def describe(self):
        return f"{{self.kind}} {{self.name}} area={{self.area():.2f}} v{{VERSION}}"


class Circle(Shape):
    kind = "circle"

    def __init__(self, r=1.0):
        super().__init__("c")
        self.r = r

    def area(self):
        return math.pi * self.r ** 2 + VERSION


class Rect(Shape):
    kind = "rect"

    def __init__(self, w=1.0, h=1.0):
        super().__init__("r")
        self.w, self.h = w, h

    def area(self):
        return self.w * self.h + VERSION


@dataclass
class Point:
    x: float
    y: float

    def norm(self):
        return math.hypot(self.x, self.y)


def area_sum(shapes):
    return sum(s.area() for s in shapes)


def largest(shapes):
    return max(shapes, key=lambda s: s.area())


def make(kind, *args):
    return REGISTRY[kind](*args)


REGISTRY = {{"circle": Circle, "rect": Rect}}
'''

SHAPES_USER = '''"""Imports the shapes module."""

from . import shapes
from .shapes import Circle, Rect, area_sum

SIZE = {size}


class BigCircle{num}(Circle):
    def area(self):
        return 2 * super().area()


def use{num}():
    return area_sum([Circle(SIZE), Rect(SIZE, 2), shapes.make("circle", 1)])
'''


def module_names(name: str, n: int) -> list[str]:
    """Names of the mNNN modules of a package generated with ``n`` modules."""
    width = max(3, len(str(n - 1)))
    return [f"{name}.m{i:0{width}d}" for i in range(n)]


def write(path: str, text: str, mtime_s: int) -> None:
    """Write ``text`` to ``path`` and set its mtime (seconds, exactly)."""
    with open(path, "w") as f:
        f.write(text)
    os.utime(path, ns=(mtime_s * 10**9, mtime_s * 10**9))


def generate(n: int = 300, name: str = "benchpkg", root: str | None = None, seed: int = 0) -> str:
    """Write package ``name`` with ``n`` dependent modules into ``root`` (default: a new temp
    dir); returns the directory to put on ``sys.path``."""
    root = root or tempfile.mkdtemp(prefix="ipy_reimport_bench_")
    pkg = os.path.join(root, name)
    os.makedirs(pkg)
    rng = random.Random(seed)
    write(os.path.join(pkg, "__init__.py"), '"""Generated benchmark package."""\n', PAST)
    write(os.path.join(pkg, "base.py"), BASE.format(const=1, factor=2), PAST)
    width = max(3, len(str(n - 1)))
    for i in range(n):
        num = f"{i:0{width}d}"
        earlier = sorted(rng.sample(range(i), min(i, rng.randint(1, 3))))
        imports = "".join(f"from . import m{j:0{width}d}\n" for j in earlier)
        use = " + ".join(f"m{j:0{width}d}.VALUE" for j in earlier) or "VALUE"
        write(os.path.join(pkg, f"m{num}.py"), MODULE.format(num=num, imports=imports, use=use), PAST)
    write_shapes(root, 0, PAST, name)
    for i in range(SHAPES_USERS):
        write(os.path.join(pkg, f"s{i:02d}.py"), SHAPES_USER.format(num=f"{i:02d}", size=i + 1), PAST)
    return root


def write_base(root: str, const: int, mtime_s: int, name: str = "benchpkg", factor: int = 2) -> str:
    """Rewrite ``base.py`` with ``CONST = const`` and ``double`` multiplying by ``factor`` (a
    function-body edit); returns its path."""
    path = os.path.join(root, name, "base.py")
    write(path, BASE.format(const=const, factor=factor), mtime_s)
    return path


def write_shapes(root: str, version: int, mtime_s: int, name: str = "benchpkg") -> str:
    """Rewrite ``shapes.py`` as version ``version``; returns its path."""
    path = os.path.join(root, name, "shapes.py")
    write(path, SHAPES.format(version=version), mtime_s)
    return path
