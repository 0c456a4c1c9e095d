"""An open-loop HTTP/1.1 client: requests leave on a fixed schedule whether or not earlier ones
have been answered, and each latency is counted from when its request was due, so a server that
falls behind shows it in its percentiles (no coordinated omission). Plain asyncio streams over
keep-alive connections: at a few hundred requests a second it stays far from saturating."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["OpenLoopResult", "open_loop"]


@dataclass(frozen=True)
class OpenLoopResult:
    target_rps: float
    achieved_rps: float
    latencies_ms: list[float]
    errors: int

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")

    def line(self, label: str) -> str:
        return (
            f"{label:<40} {self.achieved_rps:6.0f} of {self.target_rps:.0f} req/s   "
            f"p50 {self.pct(0.50):6.2f} ms   p99 {self.pct(0.99):6.2f} ms   errors {self.errors}"
        )


def open_loop(
    host: str,
    port: int,
    paths: Sequence[str],
    *,
    rate: float,
    seconds: float,
    headers: dict[str, str] | None = None,
) -> OpenLoopResult:
    """GET a random one of `paths` `rate` times a second for `seconds`."""
    return asyncio.run(_run(host, port, paths, rate, seconds, headers or {}))


async def _run(
    host: str,
    port: int,
    paths: Sequence[str],
    rate: float,
    seconds: float,
    headers: dict[str, str],
) -> OpenLoopResult:
    extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    latencies: list[float] = []
    errors = 0
    total = int(rate * seconds)
    start = time.perf_counter() + 0.1

    async def one(index: int, path: str) -> None:
        nonlocal errors
        due = start + index / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        reader, writer = idle.pop() if idle else await asyncio.open_connection(host, port)
        request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n"
        writer.write(request.encode())
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        await reader.readexactly(length)
        latencies.append((time.perf_counter() - due) * 1000)
        if status != 200:
            errors += 1
        idle.append((reader, writer))

    chosen = [random.choice(paths) for _ in range(total)]
    await asyncio.gather(*(one(i, path) for i, path in enumerate(chosen)))
    elapsed = time.perf_counter() - start
    for _, writer in idle:
        writer.close()
    return OpenLoopResult(rate, len(latencies) / elapsed, latencies, errors)
