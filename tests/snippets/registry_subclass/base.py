class Step:
    registry = {}

    def __init_subclass__(cls, name=None, **kwargs):
        super().__init_subclass__(**kwargs)
        Step.registry[name or cls.__name__.lower()] = cls

    def run(self, x):
        raise NotImplementedError
