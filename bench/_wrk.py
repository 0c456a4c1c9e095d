"""Driving a server with wrk (Debian's `wrk`): closed-loop load from a C client that a Python
server cannot outrun, with random cursors read from a file by `cursors.lua`."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["WrkResult", "have_wrk", "run_wrk"]

_SCRIPT = Path(__file__).parent / "cursors.lua"
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class WrkResult:
    rps: float
    requests: int
    p50_ms: float
    p99_ms: float
    errors: int

    def line(self, label: str) -> str:
        return (
            f"{label:<40} {self.rps:8.0f} req/s   p50 {self.p50_ms:6.2f} ms   "
            f"p99 {self.p99_ms:6.2f} ms   errors {self.errors}"
        )


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(
    url: str,
    *,
    seconds: float,
    threads: int = 2,
    connections: int = 32,
    headers: dict[str, str] | None = None,
    cursors: Path | None = None,
) -> WrkResult:
    """Load `url` for `seconds`; with `cursors`, each request adds a random line of that file
    to the query (`url` must already carry a query)."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s"]
    command += ["--latency", "--timeout", "10s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if cursors is not None:
        command += ["-s", str(_SCRIPT), url, "--", str(cursors)]
    else:
        command.append(url)
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return WrkResult(
        rps=float(_find(r"Requests/sec:\s+([\d.]+)", out)),
        requests=int(_find(r"(\d+) requests in", out)),
        p50_ms=_ms(_find(r"\s50%\s+([\d.]+\w+)", out)),
        p99_ms=_ms(_find(r"\s99%\s+([\d.]+\w+)", out)),
        errors=_errors(out),
    )


def _find(pattern: str, text: str) -> str:
    found = re.search(pattern, text)
    if found is None:
        raise RuntimeError(f"wrk printed no {pattern!r}:\n{text}")
    return found.group(1)


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def _errors(text: str) -> int:
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    return (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(n) for n in socket.groups()) if socket else 0
    )
