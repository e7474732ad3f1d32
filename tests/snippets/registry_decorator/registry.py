HANDLERS = {}


def register(name):
    def record(obj):
        HANDLERS[name] = obj
        return obj
    return record
