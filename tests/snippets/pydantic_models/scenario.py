"""pydantic v2 models: a field is added, a validator and a method change; another model in the
same module and one in another module nest the edited one."""

IMPORT = "import pydantic\nfrom pydantic_models import models, runs"
BEFORE = "cfg = models.TrainConfig(lr=0.5); exp = models.Experiment(name='a')"
CHECKS = {2: {
    "model_validate builds the module's class": "isinstance(models.TrainConfig.model_validate({'lr': 0.2}), models.TrainConfig)",
    "an old instance is still an instance": "isinstance(cfg, models.TrainConfig) and isinstance(exp, models.Experiment)",
    "the new field and method": "models.TrainConfig().steps() == 320",
    "the new validator runs": "raises(lambda: models.TrainConfig(lr=2), pydantic.ValidationError)",
    "model_dump has the new field": "models.TrainConfig(lr=0.5).model_dump() == {'lr': 0.5, 'epochs': 10, 'batch': 32}",
    "a nesting model in the same module accepts an old instance": "models.Experiment(name='b', train=cfg).train is cfg",
    "a nesting model validates a dict into the new fields": "models.Experiment.model_validate({'name': 'c', 'train': {'lr': 0.5}}).train.batch == 32",
    "a nesting model in another module accepts instances": "runs.Run(config=models.TrainConfig()).config.batch == 32 and runs.Run(config=cfg).config is cfg",
    "new instances pickle": "pickle.loads(pickle.dumps(models.TrainConfig(lr=0.3))) == models.TrainConfig(lr=0.3)",
}}
