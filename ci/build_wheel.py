#!/usr/bin/env python3
"""Assemble the inf-wasi wheel from what the workspace build made.

`python3 ci/build_wheel.py NATIVE_MODULE OUT_DIR` writes
`inf_wasi-VERSION-cp39-abi3-linux_ARCH.whl`: the package folder
(bindings/python/python/inf_wasi: the Python code, the component, its
precompiled copy and the native libraries ci/native-libs.sh put there) plus
NATIVE_MODULE as `inf_wasi/_native.abi3.so`, with metadata from pyproject.toml.

Why not maturin here: maturin compiles the module itself, building only the
Python crate, and cargo then unifies build-dependency features differently from
the workspace build, which gives llama-cpp-sys-2 another build-script hash and
builds llama.cpp a second time (ten minutes). The module cargo built for the
workspace is the same library. pyproject.toml keeps maturin as the build
backend for source builds (`pip install` of the sdist).

Prints the wheel's path.
"""
import base64
import hashlib
import pathlib
import platform
import stat
import sys
import tomllib
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "bindings/python/python/inf_wasi"


def record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def main(native: pathlib.Path, out_dir: pathlib.Path) -> pathlib.Path:
    project = tomllib.loads((ROOT / "bindings/python/pyproject.toml").read_text())["project"]
    name, version = project["name"].replace("-", "_"), project["version"]
    tag = f"cp39-abi3-linux_{platform.machine()}"
    dist_info = f"{name}-{version}.dist-info"
    metadata = [
        "Metadata-Version: 2.1",
        f"Name: {project['name']}",
        f"Version: {version}",
        f"Summary: {project['description']}",
        f"License: {project['license']['text']}",
        f"Requires-Python: {project['requires-python']}",
        *(f"Requires-Dist: {d}" for d in project["dependencies"]),
        *(
            line
            for extra, requirements in project.get("optional-dependencies", {}).items()
            for line in [f"Provides-Extra: {extra}", *(f'Requires-Dist: {r}; extra == "{extra}"' for r in requirements)]
        ),
        "Description-Content-Type: text/markdown",
        "",
        (ROOT / "bindings/python" / project["readme"]).read_text(),
    ]
    wheel = ["Wheel-Version: 1.0", "Generator: inf-wasi ci/build_wheel.py", "Root-Is-Purelib: false", f"Tag: {tag}", ""]

    files = {f"inf_wasi/{p.name}": p.read_bytes() for p in sorted(PACKAGE.iterdir()) if p.is_file() and p.suffix != ".pyc"}
    files["inf_wasi/_native.abi3.so"] = native.read_bytes()
    files[f"{dist_info}/METADATA"] = "\n".join(metadata).encode()
    files[f"{dist_info}/WHEEL"] = "\n".join(wheel).encode()
    # Console scripts (the `inf-wasi` command), which pip writes into the environment's bin/.
    scripts = [f"{command} = {target}" for command, target in project.get("scripts", {}).items()]
    if scripts:
        files[f"{dist_info}/entry_points.txt"] = "\n".join(["[console_scripts]", *scripts, ""]).encode()
    record = [record_line(n, d) for n, d in files.items()] + [f"{dist_info}/RECORD,,"]

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry, data in files.items():
            info = zipfile.ZipInfo(entry, date_time=(2026, 1, 1, 0, 0, 0))
            # Shared libraries must stay executable once unpacked.
            # A regular file's type bits too: pip makes a file executable only when they say so.
            executable = ".so" in entry or entry == "inf_wasi/inf-wasi"
            info.external_attr = (stat.S_IFREG | (0o755 if executable else 0o644)) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
        archive.writestr(f"{dist_info}/RECORD", "\n".join(record) + "\n")
    return path


if __name__ == "__main__":
    print(main(pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])))
