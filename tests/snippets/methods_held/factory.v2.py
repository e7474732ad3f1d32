class Factory:
    count = 0

    def __init__(self):
        self.size = 3

    def make(self):
        return "make v2"

    @classmethod
    def create(cls):
        return ("create v2", cls.__name__)

    @staticmethod
    def helper():
        return "helper v2"

    @property
    def kind(self):
        return "kind v2"

    def added(self):
        return ("added v2", self.size * 2)
