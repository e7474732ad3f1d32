import abc


class Shape(abc.ABC):
    @abc.abstractmethod
    def area(self):
        ...

    def perimeter(self):
        return 0

    def describe(self):
        return f"a {type(self).__name__.lower()} of area {self.area()}"
