"""Start, stop and talk to a real Tryton server for tests and benchmarks.

`start-tryton.sh` beside this module builds a venv with trytond and its modules (once per
machine), activates the modules and seeds a database (`seed_tryton.py`), saves that database as
a template in /tmp, and starts trytond on a free loopback port. Later starts copy the template
and take about two seconds. `start_tryton` runs it and says where the server listens.

One server serves many databases: trytond on SQLite serves every `<name>.sqlite` in its
database directory. `add_databases` copies the seeded template there under new names (a few
milliseconds each for its 5 MB) right after the start, and `open_database` has trytond load
one (~1 s), so each user of the server (each test module) gets a database of its own that no
one else writes to.

`TrytonRpc` talks to a server as the Tryton client does, without ironbridge's connector: tests
use it to change data "in the source" behind the connector's back.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import os
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

__all__ = [
    "TrytonRpc",
    "TrytonServer",
    "add_databases",
    "open_database",
    "start_tryton",
    "stop_tryton",
    "template_path",
]

TOOLS = Path(__file__).resolve().parent
SCRIPT = TOOLS / "start-tryton.sh"
SEED = TOOLS / "seed_tryton.py"
VENV = os.environ.get("IRONBRIDGE_TRYTON_VENV", "/tmp/ironbridge-tryton-venv")
CACHE = Path(os.environ.get("IRONBRIDGE_TRYTON_CACHE", "/tmp/ironbridge-tryton-cache"))


@dataclass(frozen=True)
class TrytonServer:
    """A running trytond: where it listens, one of its databases with its two seeded users,
    that database's file, and the seeded template further databases are copied from."""

    url: str
    database: str
    admin: dict[str, str]
    clerk: dict[str, str]
    started_in: float
    data_dir: Path
    template: Path

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
        template=template_path(bulk),
    )


_DATABASE_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")


def add_databases(server: TrytonServer, names: Sequence[str]) -> None:
    """Copy the seeded template into `server`'s database directory once per name.

    Call this before anything lists the server's databases: trytond reads its list of
    databases once and keeps it for `[session] timeout` (five minutes), so a database file
    added later is unknown to it (`common.db.list`, sign-in) until then. Each copy takes a few
    milliseconds (5 MB); `open_database` then has trytond load one.
    """
    for name in names:
        if not _DATABASE_NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not a plain database name")
        target = server.data_dir / "db" / f"{name}.sqlite"
        if target.exists():
            raise FileExistsError(f"database {name!r} exists already")
        # The template is written once, after seeding, and never opened by a server: a plain
        # copy is consistent (no -wal/-shm beside it).
        shutil.copyfile(server.template, target)


def open_database(server: TrytonServer, name: str, *, timeout: float = 60) -> TrytonServer:
    """`server` with database `name` (added by `add_databases`) loaded, and its credentials.

    trytond loads a database it did not load at start on its first request; 8.2 fails to when
    that first request is a sign-in (`security.login` finds the pool registered but empty and
    answers `KeyError: 'res.user'` from then on). Its anonymous avatar route loads a pool
    correctly, so the database is opened there first (~1 s), before anyone signs in.
    """
    encoded = base64.urlsafe_b64encode(name.encode()).decode().rstrip("=")
    response = httpx.get(f"{server.url}/avatar/{encoded}/{uuid.uuid4().hex}", timeout=timeout)
    # 404: no such avatar, with the pool loaded; a pool that fails to load answers 500.
    if response.status_code != 404:
        raise RuntimeError(f"Tryton did not load database {name!r}: HTTP {response.status_code}")
    base = {"url": server.url, "database": name}
    return dataclasses.replace(
        server,
        database=name,
        admin={**server.admin, **base},
        clerk={**server.clerk, **base},
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
