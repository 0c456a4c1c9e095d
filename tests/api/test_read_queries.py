"""What a read costs the store: the token's query and the records' query, nothing more (what
the connection offers comes with the token's authentication)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, event

from ironbridge.bootstrap import Container

from ..conftest import ConnectionFixture


@contextmanager
def queries(engine: Engine) -> Iterator[list[str]]:
    """The tables each statement run on `engine` meanwhile reads (transaction control aside)."""
    seen: list[str] = []

    def record(
        conn: Connection, cursor: Any, sql: str, params: Any, context: Any, many: bool
    ) -> None:
        if not sql.lstrip().upper().startswith(("BEGIN", "ROLLBACK", "COMMIT")):
            seen.append(sql.split("FROM", 1)[1].split()[0] if "FROM" in sql else sql)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_list_page_and_a_record_take_one_query_besides_the_token(
    client: TestClient, container: Container, sandbox: ConnectionFixture
) -> None:
    first = client.get("/v1/purchase-orders?limit=2", headers=sandbox.headers).json()
    with queries(container.engine) as seen:
        page = client.get(
            f"/v1/purchase-orders?limit=2&cursor={first['next_cursor']}", headers=sandbox.headers
        )
    assert page.status_code == 200
    assert seen == ["credentials", "records"]
    with queries(container.engine) as seen:
        one = client.get(f"/v1/purchase-orders/{first['data'][0]['id']}", headers=sandbox.headers)
    assert one.status_code == 200
    assert seen == ["credentials", "records"]
