"""The layout is a pipeline: labeling → inference → training, and facts are defined once."""

import ast
import dataclasses
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import ROOT

#: What each package may import from the project: nothing above it in the pipeline.
ALLOWED = {
    "labeling": {"labeling"},
    "inference": {"labeling", "inference"},
    "training": {"labeling", "inference", "training"},
}


def project_imports(path: Path) -> set[str]:
    """Top-level project packages a module imports, at module level or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
    return found & set(ALLOWED)


def test_no_package_imports_one_above_it_in_the_pipeline():
    wrong = []
    for package, allowed in ALLOWED.items():
        for path in sorted((ROOT / package).glob("*.py")):
            for imported in sorted(project_imports(path) - allowed):
                wrong.append(f"{package}/{path.name} imports {imported}")
    assert wrong == []


def test_the_import_check_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from training.train import train\n")
    assert project_imports(module) == {"training"}


def test_predict_works_where_training_cannot_be_imported(model_dir):
    script = f"""
import sys
class NoTraining:
    def find_spec(self, name, path=None, target=None):
        if name == "training" or name.startswith("training."):
            raise ImportError("training is not installed here")
sys.meta_path.insert(0, NoTraining())
from inference import predict
spans = predict("استثمرت شركة أرامكو ٥٠٠ مليون دولار في شركة ناشئة.", model={str(model_dir)!r})
assert isinstance(spans, list)
assert not any(m == "training" or m.startswith("training.") for m in sys.modules)
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_train_config_defaults_are_the_default_recipe():
    from training.config import DEFAULT_CONFIG, ScratchConfig, TrainConfig

    recipe = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    defaults = {
        f.name: f.default if f.default is not dataclasses.MISSING else f.default_factory()
        for f in dataclasses.fields(TrainConfig)
    }
    defaults["scratch"] = dataclasses.asdict(ScratchConfig())
    assert recipe == defaults


def test_recipe_files_state_only_what_differs_from_their_base():
    from training.config import DEFAULT_CONFIG, read_recipe

    default = read_recipe(DEFAULT_CONFIG)
    for path in sorted(DEFAULT_CONFIG.parent.glob("*.yaml")):
        if path == DEFAULT_CONFIG:
            continue
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert raw.pop("base") == "default.yaml", path.name
        same = sorted(k for k, v in raw.items() if default.get(k) == v)
        assert same == [], f"{path.name} repeats the default of {same}"
