class Factory:
    count = 0

    def __init__(self):
        self.size = 3

    def make(self):
        return "make v1"

    @classmethod
    def create(cls):
        return ("create v1", cls.__name__)

    @staticmethod
    def helper():
        return "helper v1"

    @property
    def kind(self):
        return "kind v1"
