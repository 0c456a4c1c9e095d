"""The `ironbridge` command line."""

from __future__ import annotations

import errno
import gc
import json
import socket
import time
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from . import __version__
from .settings import Settings

if TYPE_CHECKING:
    from .bootstrap import Container

app = typer.Typer(help="ironbridge: one API for ERP, CMMS and EAM systems.", no_args_is_help=True)
accounts_app = typer.Typer(help="Accounts.", no_args_is_help=True)
keys_app = typer.Typer(help="Account admin keys.", no_args_is_help=True)
app.add_typer(accounts_app, name="accounts")
app.add_typer(keys_app, name="keys")

_console = Console(stderr=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def _container() -> Container:
    from .bootstrap import bootstrap
    from .logs import configure_logging

    settings = Settings()
    configure_logging(settings.log_level)
    return bootstrap(settings)


def _print(data: dict[str, object], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(data, default=str))
        return
    for key, value in data.items():
        _console.print(f"[bold]{key}[/bold]: {value}", highlight=False)


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


@app.command()
def migrate() -> None:
    """Apply database migrations (also done on every start)."""
    from .store import make_engine, upgrade

    settings = Settings()
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    engine.dispose()
    _console.print("database is at the newest migration")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (IRONBRIDGE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (IRONBRIDGE_PORT).")] = None,
    demo: Annotated[bool, typer.Option(help="Ensure the demo account and print its keys.")] = False,
    worker: Annotated[
        bool, typer.Option("--worker/--no-worker", help="Run background workers in this process.")
    ] = True,
) -> None:
    """Serve the API (and, by default, the background worker)."""
    import uvicorn

    from .api import create_app
    from .bootstrap import bootstrap
    from .demo import ensure_demo
    from .logs import configure_logging
    from .settings import write_demo_settings

    overrides: dict[str, object] = {}
    if host:
        overrides["host"] = host
    if port:
        overrides["port"] = port
    settings = Settings(**overrides)  # type: ignore[arg-type]
    if demo and (written := write_demo_settings(settings.data_dir)):
        _console.print(
            f"wrote {written} (private addresses allowed); every command reads it",
            soft_wrap=True,
        )
        settings = Settings(**overrides)  # type: ignore[arg-type]
    # Bind before anything else happens: a busy port must not cost a migration or fresh keys.
    sock = _bind(settings.host, settings.port)
    configure_logging(settings.log_level)
    container = bootstrap(settings)
    if worker:
        container.worker.start_consumer()
    if demo:
        creds = ensure_demo(container)
        _console.rule("ironbridge")
        _console.print(f"API:              {settings.base_url}  (docs: {settings.base_url}/docs)")
        _console.print(f"admin key:        {creds.admin_key}")
        _console.print(f"dashboard:        {settings.base_url}/dashboard/  (admin key signs in)")
        _console.print(f"connection token: {creds.connection_token}")
        _console.print(f"connection id:    {creds.connection_id}")
        _console.print("for the README tour, paste into your shell:")
        # One line, never wrapped, so it pastes as it is.
        _console.print(
            f"export ADMIN={creds.admin_key} TOKEN={creds.connection_token} "
            f"API={settings.base_url}",
            soft_wrap=True,
            highlight=False,
        )
        _console.rule()
    api = create_app(container)
    # Everything alive by now (modules, models, routes, the schema) lives as long as the
    # process: moved out of the collector's reach, a full collection no longer walks it and
    # pauses every request in flight for a tenth of a second.
    gc.collect()
    gc.freeze()
    config = uvicorn.Config(
        api,
        host=settings.host,
        port=settings.port,
        # uvicorn's loggers keep no handlers of their own and reach the JSON handler on the
        # root logger; requests are logged once, by our middleware, with their route template
        # rather than the path and query a token may be in.
        log_config=None,
        access_log=False,
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
        container.close()


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, or exit 1 saying how to choose another port."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        _console.print(f"[red]Cannot listen on {host}:{port}: {exc}.[/red]")
        raise typer.Exit(1) from exc
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        reason = "is already in use" if exc.errno == errno.EADDRINUSE else f"is unavailable ({exc})"
        _console.print(
            f"[red]Port {port} on {host} {reason}.[/red] Pick another with --port, e.g. "
            f"`ironbridge serve --port {port + 1}`, or IRONBRIDGE_PORT, e.g. "
            f"`IRONBRIDGE_PORT={port + 1} make run`.",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1) from exc
    return sock


@app.command("worker")
def run_worker(
    threads: Annotated[int, typer.Option(help="Worker threads.")] = 2,
) -> None:
    """Run background workers only (scale-out: many of these beside `serve --no-worker`)."""
    container = _container()
    container.worker.run_forever(workers=threads)


@app.command()
def demo(as_json: JsonFlag = False) -> None:
    """Create (once) the demo account with a sandbox connection; print fresh tokens."""
    from .demo import ensure_demo
    from .settings import write_demo_settings

    if written := write_demo_settings(Settings().data_dir):
        _console.print(
            f"wrote {written} (private addresses allowed); every command reads it",
            soft_wrap=True,
        )
    container = _container()
    creds = ensure_demo(container)
    _print(creds.as_dict(container.settings.base_url), as_json)


@app.command("sync")
def sync_command(
    connection_id: Annotated[str, typer.Argument(help="Connection id (conn_…).")],
    entity: Annotated[
        list[str] | None, typer.Option("--entity", "-e", help="Entity to sync (repeatable).")
    ] = None,
    full: Annotated[bool, typer.Option(help="Re-read the whole window; mark deletions.")] = False,
) -> None:
    """Sync a connection now, in this process, with a progress bar."""
    from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    from .errors import IronbridgeError
    from .model import Entity
    from .sync import RunOutcome, SyncContext, execute_run, queue_runs

    container = _container()
    try:
        entities = [Entity(e) for e in entity] if entity else None
    except ValueError as exc:
        _console.print(f"[red]unknown entity: {exc}[/red]")
        raise typer.Exit(2) from exc
    try:
        with container.uow() as uow:
            connection = uow.connections.get_for_token(connection_id)
            if connection is None:
                _console.print(f"[red]No connection {connection_id}.[/red]")
                raise typer.Exit(1)
            runs = queue_runs(
                uow, connection, container.registry, entities, full=full, trigger="cli"
            )
    except IronbridgeError as exc:
        _console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from exc
    columns = (
        TextColumn("{task.description:<16}"),
        BarColumn(),
        TextColumn("{task.completed:>8.0f} records"),
        TextColumn("{task.fields[rate]:>8.0f}/s"),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
    )
    failed = False
    problems: list[str] = []
    with Progress(*columns, console=_console) as progress:
        for run in runs:
            task = progress.add_task(run.entity.value, total=None, rate=0, status="running")
            started = time.monotonic()

            def on_page(
                _entity: Entity,
                read: int,
                _outcome: RunOutcome,
                task: TaskID = task,
                started: float = started,
            ) -> None:
                elapsed = max(time.monotonic() - started, 1e-6)
                progress.update(task, completed=read, rate=read / elapsed)

            ctx = SyncContext(
                uow=container.uow,
                registry=container.registry,
                cipher=container.cipher,
                options=container.session_options,
                on_page=on_page,
                breakers=container.breakers,
            )
            outcome = execute_run(ctx, connection_id, run.id)
            failed |= outcome.status in {"failed", "postponed"}
            if outcome.error:
                problems.append(f"{run.entity.value}: {outcome.error.get('message')}")
            elif outcome.status == "postponed":
                # The connection's circuit is open: the source is left alone, and a worker
                # runs the queued run once the circuit lets a probe through.
                wait = max(1, round(outcome.retry_after or 0))
                problems.append(
                    f"{run.entity.value}: the source failed repeatedly and its circuit is open; "
                    f"the run stays queued and a worker starts it in {wait} s."
                )
            progress.update(
                task,
                total=max(outcome.read, 1),
                completed=max(outcome.read, 1),
                status=(
                    f"{outcome.status}: +{outcome.created} ~{outcome.updated} -{outcome.deleted}"
                ),
            )
    for problem in problems:
        _console.print(f"[red]{problem}[/red]", highlight=False)
    if failed:
        raise typer.Exit(1)


@app.command()
def emulate(
    system: Annotated[str, typer.Argument(help="System to emulate, e.g. sap_s4hana.")],
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0 = any free port).")] = 0,
    username: Annotated[str | None, typer.Option(help="User to accept.")] = None,
    password: Annotated[str | None, typer.Option(help="Password to accept.")] = None,
    faults: Annotated[
        str | None, typer.Option(help="Faults to inject, e.g. fail=3,status=503,rate_limit=2.")
    ] = None,
    disable_service: Annotated[
        list[str] | None,
        typer.Option(
            "--disable-service",
            help="A service the system does not offer (answered 404), e.g. API_EQUIPMENT; "
            "repeat for more.",
        ),
    ] = None,
    version: Annotated[
        str | None,
        typer.Option(help="The version to answer as, for systems with several (odoo: 18 or 19)."),
    ] = None,
) -> None:
    """Run an emulator of a closed system for your own tests; prints one JSON line on start."""
    from .testing.emulators import EMULATORS, serve_emulator

    if system not in EMULATORS:
        _console.print(f"[red]No emulator for {system!r}; have: {', '.join(EMULATORS)}[/red]")
        raise typer.Exit(2)
    try:
        serve_emulator(
            system, port, username, password, faults, disable_service or (), version=version
        )
    except ValueError as exc:
        _console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


@accounts_app.command("create")
def accounts_create(
    name: str,
    rate_limit: Annotated[
        int | None, typer.Option(help="Requests per minute per credential (default: server's).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Create an account and its first admin key."""
    from .accounts import create_account, create_admin_key

    container = _container()
    with container.uow() as uow:
        account = create_account(uow, name, rate_limit_per_minute=rate_limit)
        key = create_admin_key(uow, account.id, label="initial")
    _print(
        {"account_id": account.id, "name": account.name, "admin_key": key.token, "key_id": key.id},
        as_json,
    )


@keys_app.command("create")
def keys_create(
    account: Annotated[str, typer.Option("--account", help="Account id (acc_…).")],
    label: Annotated[str | None, typer.Option(help="A name to tell keys apart.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Issue a new admin key for an account (shown once)."""
    from .accounts import create_admin_key
    from .errors import IronbridgeError

    container = _container()
    try:
        with container.uow() as uow:
            key = create_admin_key(uow, account, label=label)
    except IronbridgeError as exc:
        _console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from exc
    _print({"account_id": account, "key_id": key.id, "admin_key": key.token}, as_json)


@keys_app.command("revoke")
def keys_revoke(
    key_id: str,
    account: Annotated[str, typer.Option("--account", help="Account id (acc_…).")],
) -> None:
    """Revoke an admin key now."""
    from .accounts import revoke_admin_key
    from .errors import IronbridgeError

    container = _container()
    try:
        with container.uow() as uow:
            revoke_admin_key(uow, account, key_id)
    except IronbridgeError as exc:
        _console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from exc
    _console.print(f"revoked {key_id}")
