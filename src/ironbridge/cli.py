"""The `ironbridge` command line."""

from __future__ import annotations

import json
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

    overrides: dict[str, object] = {}
    if host:
        overrides["host"] = host
    if port:
        overrides["port"] = port
    settings = Settings(**overrides)  # type: ignore[arg-type]
    configure_logging(settings.log_level)
    container = bootstrap(settings)
    if worker:
        container.worker.start_consumer()
    if demo:
        creds = ensure_demo(container)
        _console.rule("ironbridge")
        _console.print(f"API:              {settings.base_url}  (docs: {settings.base_url}/docs)")
        _console.print(f"admin key:        {creds.admin_key}")
        _console.print(f"connection token: {creds.connection_token}")
        _console.print(f"connection id:    {creds.connection_id}")
        _console.rule()
    try:
        uvicorn.run(
            create_app(container),
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
        )
    finally:
        container.close()


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

    container = _container()
    creds = ensure_demo(container)
    _print(creds.as_dict(container.settings.base_url), as_json)


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
