from pydantic import BaseModel, field_validator


class TrainConfig(BaseModel):
    lr: float = 0.1
    epochs: int = 10
    batch: int = 32

    @field_validator("lr")
    @classmethod
    def positive(cls, value):
        if not 0 < value < 1:
            raise ValueError("lr must be between 0 and 1")
        return value

    def steps(self):
        return self.epochs * self.batch


class Experiment(BaseModel):
    name: str
    train: TrainConfig = TrainConfig()
