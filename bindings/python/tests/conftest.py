import os
import pathlib
import subprocess
import sys

import pytest

from inf_wasi import Engine

REPO = pathlib.Path(__file__).resolve().parents[3]


def model_path() -> str:
    if os.environ.get("INF_WASI_MODEL"):
        return os.environ["INF_WASI_MODEL"]
    out = subprocess.run([sys.executable, str(REPO / "ci" / "fetch_model.py")], check=True, capture_output=True, text=True)
    return out.stdout.strip()


@pytest.fixture(scope="session")
def model() -> str:
    return model_path()


@pytest.fixture(scope="session")
def engine(model: str) -> Engine:
    # One inference thread: on two cores, ggml collapses when anything else runs.
    return Engine(models={"gemma": model}, threads=1, context_size=2048)
