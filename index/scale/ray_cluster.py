"""A Ray cluster of several nodes on this machine, on the loopback address only: for the
tests and the benchmarks (`with local_cluster() as address: ...`). Across machines, start
the nodes with `ray start` as Ray documents; nothing here is needed then.

Ray turns 127.0.0.1 into the machine's outward address when it starts a node
(`services.resolve_ip_for_localhost`); each node here runs Ray's own CLI with that rewrite
switched off, and the driver must take the loopback address as its own too
(`LOOPBACK`, set before Ray is imported: `connected` does it for a 127.* address).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

NODE_ARGS = ["--node-ip-address=127.0.0.1", "--object-store-memory=200000000", "--disable-usage-stats"]
# Ray turns 127.0.0.1 (in --node-ip-address and --address) into the machine's outward
# address (`services.resolve_ip_for_localhost`); this machine allows the loopback address
# only. Each node therefore runs `ray start` with that rewrite switched off, and this
# driver takes the loopback address as its own (RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 makes
# `services.get_node_ip_address` answer 127.0.0.1; it is read when Ray is imported).
RAY_START = (
    "import sys, ray._private.services as services; services.resolve_ip_for_localhost = lambda host: host; "
    "from ray.scripts.scripts import main; sys.argv[0] = 'ray'; main()"
)
LOOPBACK = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
WORKERS = 2
STOP_GRACE_S = 5.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(what: str, ready: Callable[[], bool], timeout_s: float = 300.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} not ready after {timeout_s:.0f} s")
        time.sleep(0.5)


def _processes_under(directory: Path) -> list[int]:
    """Pids whose command line names `directory` (this cluster's session files)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if str(directory) in (proc / "cmdline").read_bytes().decode(errors="replace"):
                    pids.append(int(proc.name))
            except OSError:
                continue
    return pids


def _descendants(roots: list[int]) -> list[int]:
    """Every process below `roots` (Ray's agents rename themselves, so their command lines
    no longer name the cluster's files)."""
    children: dict[int, list[int]] = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(proc.name))
    found, todo = [], list(roots)
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@contextmanager
def local_cluster(workers: int = WORKERS) -> Iterator[str]:
    """A head that runs no tasks and `workers` one-CPU workers, all on 127.0.0.1, each node a
    `ray start --block` child of this process. Stopping those children by pid ends exactly
    this cluster (their Ray processes share their fate); `ray stop` would end every Ray
    process on the machine, other engineers' clusters included."""
    temp = Path(tempfile.mkdtemp(prefix="wsb", dir="/tmp"))  # Ray's socket paths must stay short
    port = _free_port()
    address = f"127.0.0.1:{port}"
    # Ray starts its workers at their node's niceness plus 15 (`worker_niceness`): on a machine
    # shared with other work they would lose every contention that the caller (a build or a
    # search in this process, to be compared with the cluster's) wins. Here they run at the
    # node's niceness, which is the caller's.
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_worker_niceness": "0"}
    env.pop("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", None)  # the driver's setting, not the nodes'

    nodes: list[subprocess.Popen[bytes]] = []
    logs: list[IO[bytes]] = []

    def start(*args: str) -> None:
        logs.append((temp / f"node-{len(nodes)}.log").open("wb"))
        command = [sys.executable, "-c", RAY_START, "start", "--block", *args, *NODE_ARGS]
        nodes.append(subprocess.Popen(command, stdout=logs[-1], stderr=subprocess.STDOUT, env=env))
        log = Path(logs[-1].name)
        node = nodes[-1]

        def started() -> bool:
            if node.poll() is not None:
                raise RuntimeError(f"a Ray node failed to start: {log.read_text(errors='replace')[-2000:]}")
            return "Ray runtime started" in log.read_text(errors="replace")

        wait_until(f"the Ray node of {log.name}", started)

    try:
        start("--head", f"--port={port}", "--num-cpus=0", f"--temp-dir={temp}", "--include-dashboard=false")
        for _ in range(workers):  # one at a time: two raylets starting at once time out on a loaded machine
            start(f"--address={address}", "--num-cpus=1")
        yield address
    finally:
        below = _descendants([node.pid for node in nodes])
        for node in reversed(nodes):
            node.terminate()
        # A node asked to stop ends its Ray processes within seconds; one that does not is
        # killed with the stragglers below (this cluster's files go with its temp dir).
        for node in nodes:
            try:
                node.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                node.kill()
                node.wait()
        for pid in {*below, *_processes_under(temp)}:  # a straggler of this cluster, and only of it
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        for log in logs:
            log.close()
        shutil.rmtree(temp, ignore_errors=True)


def wait_for_workers(ray: Any, workers: int) -> None:
    """Until the connected cluster offers `workers` CPUs (nodes join a little after start)."""
    wait_until(f"{workers} Ray workers", lambda: int(ray.cluster_resources().get("CPU", 0)) >= workers)
