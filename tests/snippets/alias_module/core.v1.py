from . import log

log.RUNS.append(__name__)


class Engine:
    def run(self):
        return "v1"
