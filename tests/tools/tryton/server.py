"""Start, stop and talk to a real Tryton server for tests and benchmarks.

`start-tryton.sh` beside this module builds a venv with trytond and its modules (once per
machine), activates the modules and seeds a database (`seed_tryton.py`), saves that database as
a template in /tmp, and starts trytond on a free loopback port. Later starts copy the template
and take about two seconds. `start_tryton` runs it and says where the server listens.

`TrytonRpc` talks to a server as the Tryton client does, without ironbridge's connector: tests
use it to change data "in the source" behind the connector's back.
"""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

__all__ = ["TrytonRpc", "TrytonServer", "start_tryton", "stop_tryton", "template_path"]

TOOLS = Path(__file__).resolve().parent
SCRIPT = TOOLS / "start-tryton.sh"
SEED = TOOLS / "seed_tryton.py"
VENV = os.environ.get("IRONBRIDGE_TRYTON_VENV", "/tmp/ironbridge-tryton-venv")
CACHE = Path(os.environ.get("IRONBRIDGE_TRYTON_CACHE", "/tmp/ironbridge-tryton-cache"))


@dataclass(frozen=True)
class TrytonServer:
    """A running trytond: where it listens, its two seeded users, and its database file."""

    url: str
    database: str
    admin: dict[str, str]
    clerk: dict[str, str]
    started_in: float
    data_dir: Path

    @property
    def database_file(self) -> Path:
        """The SQLite file trytond serves (in WAL mode, so another process may write to it)."""
        return self.data_dir / "db" / f"{self.database}.sqlite"


def template_path(bulk: int = 0) -> Path:
    """Where the seeded template database is kept, keyed by the tooling's content.

    A changed seed builds a new template rather than reusing a stale one; `bulk` extra draft
    purchases (for benchmarks) make a template of their own.
    """
    digest = hashlib.sha256(SCRIPT.read_bytes() + SEED.read_bytes()).hexdigest()[:12]
    suffix = f"-bulk{bulk}" if bulk else ""
    return CACHE / f"erp-{digest}{suffix}.sqlite"


def start_tryton(data: Path, *, bulk: int = 0, timeout: float = 900) -> TrytonServer:
    """Start trytond for `data` (building the template on first use) and say where it is.

    Raises RuntimeError with the script's output when the server does not start.
    """
    env = {
        **os.environ,
        "TRYTON_VENV": VENV,
        "TRYTON_TEMPLATE": str(template_path(bulk)),
        "TRYTON_BULK": str(bulk),
        # A bulk template is built on the plain one when that exists: only the bulk is added.
        "TRYTON_BASE_TEMPLATE": str(template_path(0)),
    }
    started = time.monotonic()
    result = subprocess.run(
        ["bash", str(SCRIPT), str(data)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        stop_tryton(data)
        raise RuntimeError(
            f"Tryton did not start (exit {result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    values = dict(
        line.split("=", 1) for line in (data / "tryton.env").read_text().splitlines() if "=" in line
    )
    base = {"url": values["TRYTON_URL"], "database": values["TRYTON_DB"]}
    return TrytonServer(
        url=values["TRYTON_URL"],
        database=values["TRYTON_DB"],
        admin={**base, "username": values["TRYTON_USER"], "password": values["TRYTON_PASSWORD"]},
        clerk={
            **base,
            "username": values["TRYTON_CLERK_USER"],
            "password": values["TRYTON_CLERK_PASSWORD"],
        },
        started_in=time.monotonic() - started,
        data_dir=data,
    )


def stop_tryton(data: Path) -> None:
    """Stop the trytond started for `data` (the script kills exactly the pid it wrote)."""
    subprocess.run(["bash", str(SCRIPT), "--stop", str(data)], check=False, timeout=60)


@dataclass
class TrytonRpc:
    """A JSON-RPC conversation with Tryton as its own client holds one: sign in, then call.

    Independent of `ironbridge.connectors` on purpose: what a test changes through it is
    changed in the source as a Tryton user would change it, not through the code under test.
    """

    url: str
    database: str
    username: str
    password: str
    context: dict[str, Any] = field(default_factory=dict)
    _http: httpx.Client = field(init=False, repr=False)
    _calls: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        self._http = httpx.Client(base_url=f"{self.url}/{self.database}/rpc/", timeout=30)
        user_id, session = self._send(
            "common.db.login", self.username, {"password": self.password}
        )[:2]
        token = base64.b64encode(f"{self.username}:{user_id}:{session}".encode()).decode()
        self._http.headers["Authorization"] = f"Session {token}"
        preferences = self._send("model.res.user.get_preferences", True, {})
        self.context = {"company": preferences.get("company"), "language": "en"}

    def _send(self, method: str, *params: Any) -> Any:
        self._calls += 1
        response = self._http.post("", json={"id": self._calls, "method": method, "params": params})
        response.raise_for_status()
        body = response.json()
        if "error" in body:
            raise RuntimeError(f"{method}: {body['error']}")
        return body["result"]

    def call(self, model: str, method: str, *params: Any) -> Any:
        """`model.<model>.<method>(*params, context)`, e.g. `call("purchase.purchase", "write",
        [7], {"description": "x"})`; a Tryton error raises RuntimeError with its text."""
        return self._send(f"model.{model}.{method}", *params, self.context)

    def close(self) -> None:
        self._http.close()
