"""The SDK runs inside any Python service: importing it loads nothing of the server and no
dependency beyond httpx and Pydantic; verifying a webhook adds only the receiver kit's verifier."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
import ironbridge.client
from ironbridge.client import Client, webhooks
Client("k").close()
before = sorted(sys.modules)
try:
    webhooks.verify(b"{}", {}, "whsec_AAAA")
except webhooks.WebhookVerificationError:
    pass
print(json.dumps({"before": before, "after": sorted(sys.modules)}))
"""

SERVER_ONLY = ("fastapi", "starlette", "sqlalchemy", "alembic", "huey", "uvicorn", "redis")


def test_importing_the_sdk_loads_no_server_code() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    loaded = json.loads(done.stdout)
    ours = {m for m in loaded["before"] if m.startswith("ironbridge.")}
    assert ours and all(m.startswith("ironbridge.client") for m in ours), ours
    tops = {m.split(".")[0] for m in loaded["before"]}
    assert not tops & set(SERVER_ONLY), tops & set(SERVER_ONLY)
    added = {m for m in loaded["after"] if m.startswith("ironbridge.")} - ours
    assert added and all(m.startswith("ironbridge.receiver") for m in added), added


VERIFY_PROBE = """
import json, sys
from ironbridge.client.webhooks import WebhookVerificationError, verify
try:
    verify(b"{}", {}, "whsec_AAAA")
except WebhookVerificationError:
    pass
print(json.dumps(sorted(sys.modules)))
"""


def test_verifying_a_webhook_loads_no_web_framework_or_database_library() -> None:
    done = subprocess.run(
        [sys.executable, "-c", VERIFY_PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    tops = {m.split(".")[0] for m in json.loads(done.stdout)}
    assert not tops & set(SERVER_ONLY), tops & set(SERVER_ONLY)


def test_the_import_contract_names_every_other_package_of_ironbridge() -> None:
    import pkgutil
    import tomllib
    from pathlib import Path

    import ironbridge

    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    contracts = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["importlinter"]
    (sdk,) = [c for c in contracts["contracts"] if c.get("source_modules") == ["ironbridge.client"]]
    ours = {f"ironbridge.{m.name}" for m in pkgutil.iter_modules(ironbridge.__path__)}
    allowed = {"ironbridge.client", "ironbridge.receiver"}
    assert ours - allowed - set(sdk["forbidden_modules"]) == set(), "add it to the SDK's contract"


def test_the_default_address_is_where_ironbridge_serve_answers() -> None:
    from ironbridge.client.client import DEFAULT_BASE_URL
    from ironbridge.settings import Settings

    port = Settings.model_fields["port"].default
    assert port == 8080 and DEFAULT_BASE_URL.endswith(f":{port}")
