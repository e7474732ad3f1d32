from pydantic import BaseModel

from .models import TrainConfig


class Run(BaseModel):
    config: TrainConfig
    seed: int = 0
