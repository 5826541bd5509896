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
def chat_model() -> str:
    """The instruct test model (SmolLM2-135M-Instruct), fetched if need be."""
    return os.environ.get("INF_WASI_CHAT_MODEL") or subprocess.run(
        [sys.executable, str(REPO / "ci" / "fetch_model.py"), "smollm2-135m-instruct-q4_1"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()


@pytest.fixture(scope="session")
def engine(model: str) -> Engine:
    # One inference thread: on two cores, ggml collapses when anything else runs.
    return Engine(models={"gemma": model}, threads=1, context_size=2048)


#: A chat template that ends, but only after 2 million iterations of an empty
#: loop: within its instruction budget, far past a short time limit.
SLOW_TEMPLATE = "{% for i in range(2000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}{{ messages[0].content }}"

#: A chat template that renders 64 bytes 10^10 times.
BLOATING_TEMPLATE = (
    "{% for i in range(100000) %}{% for j in range(100000) %}"
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef{% endfor %}{% endfor %}"
)


def template_model(tmp: pathlib.Path, name: str, template: str) -> str:
    """A copy of the default model with ``template`` as its chat template (tests/fixtures/template-model.py)."""
    out = tmp / f"{name}.gguf"
    subprocess.run([sys.executable, str(REPO / "tests" / "fixtures" / "template-model.py"), model_path(), str(out), template], check=True)
    return str(out)


@pytest.fixture(scope="session")
def projector(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A tiny random-weight projector for the default model (tests/fixtures/tiny-mmproj.py): 4 embeddings per image."""
    out = tmp_path_factory.mktemp("projector") / "tiny-mmproj.gguf"
    subprocess.run([sys.executable, str(REPO / "tests" / "fixtures" / "tiny-mmproj.py"), str(out)], check=True)
    return str(out)


@pytest.fixture(scope="session")
def images(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """The shared test images (tests/fixtures/test-images.py)."""
    out = tmp_path_factory.mktemp("images")
    subprocess.run([sys.executable, str(REPO / "tests" / "fixtures" / "test-images.py"), str(out)], check=True)
    return out


@pytest.fixture(scope="session")
def audio_projector(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A tiny random-weight Ultravox projector for the default model
    (tests/fixtures/tiny-audio-mmproj.py): 50 embeddings per 30-second chunk."""
    out = tmp_path_factory.mktemp("projector") / "tiny-audio-mmproj.gguf"
    subprocess.run([sys.executable, str(REPO / "tests" / "fixtures" / "tiny-audio-mmproj.py"), str(out)], check=True)
    return str(out)


@pytest.fixture(scope="session")
def audio(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """The shared test audio (tests/fixtures/test-audio.py)."""
    out = tmp_path_factory.mktemp("audio")
    subprocess.run([sys.executable, str(REPO / "tests" / "fixtures" / "test-audio.py"), str(out)], check=True,
                   stdout=subprocess.DEVNULL)
    return out


@pytest.fixture(scope="session")
def plugins() -> pathlib.Path:
    """The plugins' folder: the Rust example and the probes (bindings/rust/build.rs,
    by the cargo build before this suite), and the Python ones, which ci/plugins.sh
    builds with componentize-py (and prints the folder)."""
    out = subprocess.run(["bash", str(REPO / "ci" / "plugins.sh")], check=True, capture_output=True, text=True)
    return pathlib.Path(out.stdout.strip())
