"""What a reader needs to reproduce or judge the numbers: machine (CPU, ISA), load, versions, source revision."""

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


ISA_FLAGS = ("avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile")
"""The ``/proc/cpuinfo`` flags that decide which kernels run: LiteDetect's and the peers' float32
kernels (AVX2, AVX-512) and their bfloat16 ones (AVX512_BF16's ``VDPBF16PS``, AMX tiles)."""


def _proc_cpuinfo() -> dict[str, str]:
    """The first processor's fields in ``/proc/cpuinfo`` (empty where there is none)."""
    fields: dict[str, str] = {}
    try:
        with open("/proc/cpuinfo") as file:
            for line in file:
                if not line.strip():
                    break
                key, _, value = line.partition(":")
                fields[key.strip()] = value.strip()
    except OSError:
        pass
    return fields


def cpu_description() -> dict[str, str]:
    """The CPU model (``/proc/cpuinfo``'s ``model name``, else ``lscpu``'s), logical CPU count,
    threads per core, the SIMD level, and which of ``ISA_FLAGS`` the CPU has (``isa_flags``,
    space-separated)."""
    fields = {}
    for line in _command_output(["lscpu"]).splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    cpuinfo = _proc_cpuinfo()
    flags = (cpuinfo.get("flags") or fields.get("Flags", "")).split()
    simd = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "other"
    if "avx512_bf16" in flags:
        simd += " (+BF16)"
    if "amx_bf16" in flags:
        simd += " (+AMX-BF16)"
    return {
        "model_name": cpuinfo.get("model name") or fields.get("Model name") or platform.processor() or "unknown",
        "cpus": fields.get("CPU(s)", str(os.cpu_count())),
        "threads_per_core": fields.get("Thread(s) per core", "?"),
        "simd": simd,
        "isa_flags": " ".join(flag for flag in ISA_FLAGS if flag in flags),
    }


def litedetect_isa() -> str:
    """``LITEDETECT_ISA`` as ``detect bench`` will see it (it caps LiteDetect's kernels); empty if unset."""
    return os.environ.get("LITEDETECT_ISA", "")


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
