from .registry import register


@register("csv")
class CsvReader:
    delimiter = ";"

    def read(self, text):
        return [part.strip() for part in text.split(self.delimiter)]


@register("json")
def read_json(text):
    return ("json v2", text)
