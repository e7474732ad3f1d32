from pydantic import BaseModel, field_validator


class TrainConfig(BaseModel):
    lr: float = 0.1
    epochs: int = 10

    @field_validator("lr")
    @classmethod
    def positive(cls, value):
        if value <= 0:
            raise ValueError("lr must be positive")
        return value

    def steps(self):
        return self.epochs * 100


class Experiment(BaseModel):
    name: str
    train: TrainConfig = TrainConfig()
