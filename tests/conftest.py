from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "seeds" / "annotations.jsonl"


@pytest.fixture(scope="session")
def gold_path() -> Path:
    return GOLD


@pytest.fixture(scope="session")
def gold_records():
    from labeling import load_records
    return load_records(GOLD)
