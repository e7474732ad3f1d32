from .base import Step


class Scale(Step, name="scale"):
    factor = 2

    def run(self, x):
        return x * self.factor


class Shift(Step):
    def run(self, x):
        return x + 1
