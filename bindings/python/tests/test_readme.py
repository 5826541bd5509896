"""The README's Python example is examples/quickstart.py, verbatim, and it runs."""

import os
import subprocess
import sys

from conftest import REPO

EXAMPLE = REPO / "bindings" / "python" / "examples" / "quickstart.py"


def test_readme_shows_the_example_verbatim():
    readme = (REPO / "README.md").read_text()
    assert "```python\n" + EXAMPLE.read_text() + "```" in readme


def test_the_example_runs(model):
    env = dict(os.environ, INF_WASI_MODEL=model)
    out = subprocess.run([sys.executable, str(EXAMPLE)], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert "640 dimensions" in out.stdout
    assert "model-not-found" in out.stdout


VISION = REPO / "bindings" / "python" / "examples" / "vision.py"


def test_the_image_example_is_verbatim_and_runs(model, projector, images):
    assert "```python\n" + VISION.read_text() + "```" in (REPO / "README.md").read_text()
    env = dict(os.environ, INF_WASI_MODEL=model, INF_WASI_PROJECTOR=projector, INF_WASI_IMAGE=str(images / "gradient.png"))
    out = subprocess.run([sys.executable, str(VISION)], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert "vision: True" in out.stdout


AUDIO = REPO / "bindings" / "python" / "examples" / "audio.py"


def test_the_audio_example_is_verbatim_and_runs(model, audio_projector, audio):
    assert "```python\n" + AUDIO.read_text() + "```" in (REPO / "README.md").read_text()
    env = dict(os.environ, INF_WASI_MODEL=model, INF_WASI_PROJECTOR=audio_projector, INF_WASI_AUDIO=str(audio / "tones-1s.wav"))
    out = subprocess.run([sys.executable, str(AUDIO)], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert "audio: True" in out.stdout


TOOLS = REPO / "bindings" / "python" / "examples" / "tools.py"


def test_the_tools_example_is_verbatim_and_runs(chat_model):
    assert "```python\n" + TOOLS.read_text() + "```" in (REPO / "README.md").read_text()
    env = dict(os.environ, INF_WASI_CHAT_MODEL=chat_model)
    out = subprocess.run([sys.executable, str(TOOLS)], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith('get_weather({"city":'), out.stdout
