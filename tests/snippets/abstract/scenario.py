"""abc.ABC: an abstract method becomes concrete, so a subclass in another module that did not
implement it can be instantiated."""

IMPORT = "from abstract import base, square"
BEFORE = "Shape = base.Shape; abstract_before = raises(lambda: square.Square(2), TypeError)"
CHECKS = {2: {
    "the subclass was abstract before": "abstract_before",
    "the subclass can be instantiated now": "square.Square(2).area() == 4 and square.Square(2).perimeter() == 0",
    "it runs the new inherited method": "square.Square(2).describe() == 'a square of area 4'",
    "the abstract methods are the new ones": "base.Shape.__abstractmethods__ == frozenset({'area'})",
    "identity of the base": "base.Shape is Shape and issubclass(square.Square, Shape)",
}}
