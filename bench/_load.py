"""Shared helpers for benchmarks: free ports, waiting for servers, a threaded HTTP load loop."""

from __future__ import annotations

import socket
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float = 60.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


@dataclass
class LoadResult:
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def line(self, label: str) -> str:
        return (
            f"{label:<34} {self.rps:8.0f} req/s   p50 {self.pct(0.50):6.2f} ms   "
            f"p99 {self.pct(0.99):6.2f} ms   errors {self.errors}"
        )


def run_load(
    make_request: Callable[[httpx.Client, int], httpx.Response],
    *,
    threads: int = 4,
    seconds: float = 4.0,
    warmup: float = 0.5,
) -> LoadResult:
    """Hit a server from `threads` keep-alive clients for `seconds`; latencies per request."""
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors = [0] * threads
    stop_at = time.monotonic() + warmup + seconds
    start_measure = time.monotonic() + warmup

    def worker(index: int) -> None:
        with httpx.Client(timeout=10) as client:
            n = 0
            while True:
                began = time.monotonic()
                if began >= stop_at:
                    return
                response = make_request(client, n)
                elapsed = (time.monotonic() - began) * 1000
                n += 1
                if began >= start_measure:
                    latencies[index].append(elapsed)
                    if response.status_code != 200:
                        errors[index] += 1

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    flat = [x for part in latencies for x in part]
    return LoadResult(len(flat), seconds, flat, sum(errors))


def median(values: list[float]) -> float:
    return statistics.median(values)
