#!/usr/bin/env python3
"""Builds what the conformance cases need and says where it is.

    python3 tests/conformance/fixtures.py [OUT_DIR]

Reads the `engines` of tests/conformance/cases.json, writes their model files
(copies of the default model with another chat template, truncated or bogus
files), the tiny projectors and the test images and audio into OUT_DIR (by
default target/conformance/fixtures), and prints the path of
OUT_DIR/engines.json: every engine with its models resolved to paths, and the
media folder. Every
language's runner calls this once, so the runners only convert.

Idempotent: files already written are kept (a template model is a 250 MB copy).
"""
import hashlib
import json
import os
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"


def default_model() -> str:
    if os.environ.get("INF_WASI_MODEL"):
        return os.environ["INF_WASI_MODEL"]
    return fetched()


def fetched(*name: str) -> str:
    """A model of models.json (the default one without a name), fetched and cached by ci/fetch_model.py."""
    out = subprocess.run([sys.executable, str(REPO / "ci" / "fetch_model.py"), *name], check=True,
                         capture_output=True, text=True)
    return out.stdout.strip()


def write_once(path: pathlib.Path, make) -> str:
    """Runs `make(tmp)` into a temporary name and renames it, so a half-written
    fixture is never taken for a whole one."""
    if not path.exists():
        tmp = path.with_name(path.name + ".part")
        make(tmp)
        tmp.replace(path)
    return str(path)


def script(name: str, *args: str) -> None:
    # Their output is dropped: this script's stdout is the one path it prints.
    subprocess.run([sys.executable, str(FIXTURES / name), *args], check=True, stdout=subprocess.DEVNULL)


def model_file(out: pathlib.Path, name: str, spec: dict, model: str) -> str:
    """One model of an engine, from its spec in cases.json. The file is named
    for the spec too, so a changed spec never meets the file of an old one."""
    if "path" in spec:
        return spec["path"]
    base = model if spec.get("model", "default") == "default" else fetched(spec["model"])
    if "template_file" in spec:
        # The template's text, not its file name, names the copy.
        template = (REPO / spec["template_file"]).read_text()
        spec = {**{k: v for k, v in spec.items() if k != "template_file"}, "template": template}
    if base != model and "template" not in spec:
        return base
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:12]
    path = out / f"{name}-{digest}.gguf"
    if "bytes" in spec:
        return write_once(path, lambda p: p.write_bytes(spec["bytes"].encode()))
    if "truncate" in spec:
        def cut(p: pathlib.Path) -> None:
            with open(model, "rb") as f:
                p.write_bytes(f.read(spec["truncate"]))
        return write_once(path, cut)
    if "template" in spec:
        return write_once(path, lambda p: script("template-model.py", base, str(p), spec["template"]))
    return model


def main() -> None:
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else REPO / "target" / "conformance" / "fixtures").resolve()
    out.mkdir(parents=True, exist_ok=True)
    cases = json.loads((REPO / "tests" / "conformance" / "cases.json").read_text())
    model = default_model()
    # Projectors by the name a spec gives: the vision one and the audio one.
    projectors = {
        "tiny": write_once(out / "tiny-mmproj.gguf", lambda p: script("tiny-mmproj.py", str(p))),
        "tiny-audio": write_once(out / "tiny-audio-mmproj.gguf", lambda p: script("tiny-audio-mmproj.py", str(p))),
    }
    media = out / "media"
    # Written every time (it takes a moment), so a new file never meets an old folder.
    media.mkdir(exist_ok=True)
    script("test-images.py", str(media))
    script("test-audio.py", str(media))
    (media / "empty.png").write_bytes(b"")
    (media / "empty.wav").write_bytes(b"")
    engines = {}
    for engine_name, engine in cases["engines"].items():
        models = {}
        for name, spec in engine["models"].items():
            models[name] = {
                "path": model_file(out, name, spec, model),
                "projector": projectors[spec["projector"]] if "projector" in spec else None,
            }
        engines[engine_name] = {**engine, "models": models}
    resolved = out / "engines.json"
    resolved.write_text(json.dumps({"media": str(media), "engines": engines}, indent=1))
    print(resolved)


if __name__ == "__main__":
    main()
