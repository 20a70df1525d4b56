"""Training configuration: one truth for defaults, recipes over a base, validation on every construction."""

import dataclasses

import pytest

from training.config import DEFAULT_CONFIG, ConfigError, TrainConfig, load_config


def test_replace_validates_like_construction():
    with pytest.raises(ConfigError, match="stride"):
        dataclasses.replace(TrainConfig(), stride=100)


@pytest.mark.parametrize(
    "key, value",
    [
        ("epochs", "8"),
        ("batch_size", True),
        ("train_files", "seeds.jsonl"),
        ("learning_rate", "fast"),
        ("max_length", 0),
    ],
)
def test_a_value_of_the_wrong_type_or_range_names_its_key(key, value):
    with pytest.raises(ConfigError, match=key):
        TrainConfig(**{key: value})


def test_a_recipe_inherits_what_it_does_not_state(tmp_path):
    base = tmp_path / "base.yaml"
    base.write_text("epochs: 3\npatience: 2\nscratch:\n  hidden_size: 64\n  num_attention_heads: 2\n")
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("base: base.yaml\nepochs: 5\nscratch:\n  num_hidden_layers: 2\n")
    cfg = load_config(recipe)
    assert (cfg.epochs, cfg.patience) == (5, 2)
    assert (cfg.scratch.hidden_size, cfg.scratch.num_hidden_layers, cfg.scratch.num_attention_heads) == (64, 2, 2)


def test_a_recipe_that_is_its_own_base_is_refused(tmp_path):
    loop = tmp_path / "loop.yaml"
    loop.write_text("base: loop.yaml\n")
    with pytest.raises(ConfigError, match="names itself"):
        load_config(loop)


def test_the_ablation_recipes_differ_from_the_default_only_where_they_say():
    cfg = load_config(DEFAULT_CONFIG.parent / "seeds_only.yaml")
    default = load_config(None)
    assert cfg.train_files == ["seeds/annotations.jsonl"] and cfg.backbone == "scratch"
    assert (cfg.dev_files, cfg.batch_size, cfg.max_length) == (
        default.dev_files,
        default.batch_size,
        default.max_length,
    )


def test_the_default_output_does_not_depend_on_the_current_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("DEAL_EXTRACTION_MODEL", raising=False)
    monkeypatch.setenv("DEAL_EXTRACTION_CACHE", str(tmp_path / "cache"))
    first = TrainConfig().output_dir
    monkeypatch.chdir(tmp_path)
    assert TrainConfig().output_dir == first == str(tmp_path / "cache" / "models" / "default")
