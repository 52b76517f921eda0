"""What every benchmark part prints beside its figures: the machine, its load, percentiles."""

from __future__ import annotations

import os
import platform
import statistics
from pathlib import Path


def machine() -> str:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        "?",
    )
    mem = (
        int(next(ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal")))
        // 2**20
    )
    load = os.getloadavg()[0]
    return f"{cpu}, {os.cpu_count()} cores, {mem} GiB RAM, Python {platform.python_version()}, load average {load:.1f} at start"


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f})"


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    """p50 and p95 (nearest rank)."""
    ordered = sorted(samples_ms)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def rss_mb() -> float:
    """Resident memory of this process (pages of memory-mapped files included once touched)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def disk_mb(directory: Path) -> float:
    return sum(f.stat().st_size for f in directory.rglob("*") if f.is_file()) / 2**20
