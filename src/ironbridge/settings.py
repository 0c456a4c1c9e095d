"""Typed settings read from the environment (prefix ``IRONBRIDGE_``) and from the settings file
``DATA_DIR/ironbridge.env``, so every command run against one data directory (``serve``,
``worker``, ``sync``, ``demo``...) sees the same configuration. The environment wins over the
file; ``DATA_DIR`` itself comes from the environment (or the constructor)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from .private_files import private_dir

__all__ = ["SETTINGS_FILE", "Settings", "load_secret_key", "write_demo_settings"]

#: The settings file's name inside DATA_DIR: `IRONBRIDGE_NAME=value` lines (dotenv syntax).
SETTINGS_FILE = "ironbridge.env"
#: Default `read_threads`: on SQLite, one per core of a small machine (see the field); on a
#: database server, as many as the general pool (each read mostly waits on a round trip).
SQLITE_READ_THREADS, SERVER_READ_THREADS = 2, 40
#: What `serve --demo` / `demo` write into a data directory that has no settings file yet: a
#: local evaluation talks to systems and webhook receivers on this machine or the plant network.
_DEMO_SETTINGS = """\
# ironbridge settings for this data directory, read by every `ironbridge` command run with it.
# Written by `ironbridge serve --demo` (make run) for a local evaluation; the environment wins.
# Let connectors and webhook deliveries reach private and loopback addresses (on-premises
# systems, local receivers). Set to false on a server that should reach public addresses only.
IRONBRIDGE_ALLOW_PRIVATE_URLS=true
"""


class _SettingsFile(DotEnvSettingsSource):
    """`DATA_DIR/ironbridge.env`; it cannot move DATA_DIR, which is where it was found."""

    def __call__(self) -> dict[str, Any]:
        values = super().__call__()
        values.pop("data_dir", None)
        return values


class Settings(BaseSettings):
    """Everything an operator can configure: each field is `IRONBRIDGE_<NAME>` in the env."""

    model_config = SettingsConfigDict(
        env_prefix="IRONBRIDGE_", extra="ignore", enable_decoding=False
    )

    data_dir: Path = Field(
        Path("./.ironbridge"),
        description="Where the embedded store lives (created 0700; its files are made 0600).",
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; unset means a SQLite file in DATA_DIR (WAL mode)."
    )
    redis_url: str | None = Field(
        None, description="Redis for shared rate limits, queue and breakers; unset = embedded."
    )
    secret_key: str | None = Field(
        None,
        description="Encrypts source credentials; unset means one generated into DATA_DIR.",
        repr=False,
    )
    host: str = "127.0.0.1"
    port: int = 8080
    log_level: str = "INFO"
    public_url: str | None = Field(
        None,
        description="Base URL users reach this server at (connect links; default host:port), "
        "and sources that push changes (Business Central) call back; unset, they are polled only.",
    )
    max_body_bytes: int = Field(1_048_576, description="Largest accepted request body.")
    rate_limit_per_minute: int = Field(
        600, description="Default requests per minute per credential; accounts may override."
    )
    auth_failure_limit_per_minute: int = Field(
        30,
        ge=1,
        description="Failed authentications a client address may make in any 60 seconds; "
        "beyond it every authenticated request from that address gets 429 until the oldest "
        "failure is a minute old. Failed link tokens in the connect flow have a budget of "
        "the same size.",
    )
    read_threads: int | None = Field(
        None,
        ge=1,
        le=1000,
        description="Unified reads (list and get) served at once by each API process; the rest "
        "wait their turn. Unset: 2 on SQLite, whose reads hand the interpreter lock back for "
        "every row they step, so more threads than cores only take turns at it (40 readers "
        "served a fifth of what 2 did); 40 on PostgreSQL. Reads have threads of their own, so "
        "they never wait behind slow calls to source systems.",
    )
    sync_page_size: int = Field(500, ge=1, le=10_000, description="Records per sync page.")
    sync_lock_lease_seconds: float = Field(
        60.0,
        gt=0,
        description="How long a sync holds its connection's lock between pages before another "
        "worker may take over (a killed worker's run resumes after this).",
    )
    connectors: list[str] = Field(
        default_factory=list,
        description="Extra connectors to offer, as `module:attribute` import paths "
        "(comma-separated in the environment).",
    )
    webhook_retry_scale: float = Field(
        1.0,
        gt=0,
        description="Multiplies every webhook retry interval and the 24 h / 5 day windows "
        "(below 1 only to exercise the schedule in tests).",
    )
    event_retention_days: int = Field(30, ge=1, description="How long events are kept.")
    queue_name: str = Field(
        "ironbridge", description="Task queue name (processes sharing one Redis must agree)."
    )
    queue_immediate: bool = Field(
        False, description="Run background tasks inline in the caller (tests, debugging)."
    )
    allow_private_urls: bool = Field(
        False,
        description="Let connectors reach private/loopback addresses (on-premises systems).",
    )
    breaker_fail_max: int = Field(
        5,
        ge=1,
        description="Consecutive source failures (unreachable, timeout, upstream error) after "
        "which a connection's circuit opens and calls to its source fail fast.",
    )
    breaker_reset_seconds: float = Field(
        60.0,
        gt=0,
        description="How long an open circuit stays open before one probe call may try the "
        "source again.",
    )
    breaker_key_prefix: str = Field(
        "ironbridge:breaker",
        min_length=1,
        description="Prefix of the circuit breaker keys in Redis (deployments sharing one Redis "
        "must differ).",
    )
    health_check_seconds: float = Field(
        300.0,
        ge=0,
        description="How often each live connection's source is checked (reach, authenticate, "
        "permissions); 0 checks on every scheduler tick.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Constructor arguments, then the environment, then `DATA_DIR/ironbridge.env`."""
        data_dir: object = None
        if isinstance(init_settings, InitSettingsSource):
            data_dir = init_settings.init_kwargs.get("data_dir")
        if data_dir is None:
            data_dir = os.environ.get("IRONBRIDGE_DATA_DIR") or cls.model_fields["data_dir"].default
        settings_file = _SettingsFile(settings_cls, env_file=Path(str(data_dir)) / SETTINGS_FILE)
        return init_settings, env_settings, settings_file, file_secret_settings

    @field_validator("connectors", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("log_level")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @property
    def resolved_database_url(self) -> str:
        """The database URL actually used."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'ironbridge.db').resolve()}"

    @property
    def resolved_read_threads(self) -> int:
        """Unified reads served at once by each API process."""
        if self.read_threads is not None:
            return self.read_threads
        sqlite = self.resolved_database_url.startswith("sqlite")
        return SQLITE_READ_THREADS if sqlite else SERVER_READ_THREADS

    @property
    def base_url(self) -> str:
        """Where users reach this server."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in {"0.0.0.0", "::"} else self.host  # noqa: S104
        return f"http://{host}:{self.port}"


def load_secret_key(settings: Settings) -> str:
    """Return the configured secret key, generating one into DATA_DIR (mode 0600) on first use."""
    if settings.secret_key:
        return settings.secret_key
    path = private_dir(settings.data_dir) / "secret.key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    # O_EXCL: two processes starting at once must not each write a different key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def write_demo_settings(data_dir: Path) -> Path | None:
    """Give a data directory without a settings file the local-evaluation one.

    Returns the file's path when it was written, None when one existed (it is never changed).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / SETTINGS_FILE
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(_DEMO_SETTINGS)
    except FileExistsError:
        return None
    return path
