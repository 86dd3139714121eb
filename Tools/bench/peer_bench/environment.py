"""What a reader needs to reproduce or judge the numbers: machine, load, versions, source revision."""

import hashlib
import os
import platform
import subprocess
from datetime import datetime, timezone

from .network import REPOSITORY_ROOT
from .runtimes import package_version

VERSIONED_PACKAGES = ("torch", "torchvision", "onnx", "onnxruntime", "openvino", "ncnn", "pnnx", "numpy")


def _command_output(command: list[str], cwd: str | None = None) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, cwd=cwd)
    except OSError as error:
        return f"unavailable ({error})"
    return result.stdout.strip() if result.returncode == 0 else f"unavailable (exit {result.returncode})"


def cpu_description() -> dict[str, str]:
    """``lscpu``'s model name, logical CPU count, threads per core, and the SIMD level."""
    fields = {}
    for line in _command_output(["lscpu"]).splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    flags = fields.get("Flags", "").split()
    simd = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "other"
    if "avx512_bf16" in flags:
        simd += " (+BF16)"
    return {
        "model_name": fields.get("Model name", platform.processor() or "unknown"),
        "cpus": fields.get("CPU(s)", str(os.cpu_count())),
        "threads_per_core": fields.get("Thread(s) per core", "?"),
        "simd": simd,
    }


def load_snapshot() -> str:
    """``uptime``'s line (1-, 5- and 15-minute load averages)."""
    return _command_output(["uptime"])


def versions() -> dict[str, str]:
    result = {"python": platform.python_version()}
    result.update({package: package_version(package) for package in VERSIONED_PACKAGES})
    swift = _command_output(["swift", "--version"]).splitlines()
    result["swift"] = swift[0].replace("Swift version ", "") if swift else "unavailable"
    return result


def source_revision() -> str:
    """The repository's HEAD when the report is written, and whether tracked files differ from it.

    The ``detect`` binary may have been built earlier, or from another tree:
    the report also gives its sha256 and build time."""
    commit = _command_output(["git", "rev-parse", "--short", "HEAD"], cwd=REPOSITORY_ROOT)
    dirty = _command_output(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPOSITORY_ROOT)
    return f"{commit} (work tree {'modified' if dirty else 'clean'})"


def display_path(path: str) -> str:
    """``path`` relative to the repository when inside it, else absolute."""
    relative = os.path.relpath(path, REPOSITORY_ROOT)
    return path if relative.startswith("..") else relative


def file_sha256(path: str) -> str:
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def modification_time(path: str) -> str:
    """When ``path`` was last written (for a binary: when it was built), UTC."""
    return datetime.fromtimestamp(os.path.getmtime(path), timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
