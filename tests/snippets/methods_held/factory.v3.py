class Factory:
    count = 1

    def __init__(self):
        self.size = 3

    def make(self):
        return "make v3"

    @classmethod
    def create(cls):
        return ("create v3", cls.__name__)

    @staticmethod
    def helper():
        return "helper v3"

    @property
    def kind(self):
        return "kind v3"

    def added(self):
        return ("added v3", self.size * 2)
