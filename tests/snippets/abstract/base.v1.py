import abc


class Shape(abc.ABC):
    @abc.abstractmethod
    def area(self):
        ...

    @abc.abstractmethod
    def perimeter(self):
        ...

    def describe(self):
        return f"{type(self).__name__} of area {self.area()}"
