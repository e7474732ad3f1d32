from .registry import LOADS, register

LOADS.append(__name__)


@register("double")
def double(x):
    return x * 2


class Graph:
    def __init__(self):
        self.nodes = []

    def add(self, node):
        self.nodes.append(node)
