"""What the benchmarks print about the machine they ran on (README, "Benchmarks": each figure with the CPU model)."""

from __future__ import annotations

import contextlib
import platform
from pathlib import Path


def cpu_model() -> str:
    """The CPU's model name (lscpu's "Model name") from /proc/cpuinfo, else the platform's processor string, else
    "unknown CPU"."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"
