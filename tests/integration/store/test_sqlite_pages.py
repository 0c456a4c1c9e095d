"""A new SQLite store is made with large pages; an existing store keeps the pages it has."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text

from ironbridge.store.engine import SQLITE_PAGE_SIZE, make_engine


def _page_size(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("PRAGMA page_size").fetchone()[0])


def test_a_new_store_has_large_pages_and_writes_ahead(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x TEXT)"))
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
    engine.dispose()
    assert SQLITE_PAGE_SIZE == 16384
    assert _page_size(path) == SQLITE_PAGE_SIZE


def test_an_existing_store_keeps_its_page_size_and_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:
        old.execute("PRAGMA page_size=4096")
        old.execute("PRAGMA journal_mode=WAL")
        old.execute("CREATE TABLE t (x TEXT)")
        old.execute("INSERT INTO t VALUES ('kept')")
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES ('added')"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT x FROM t ORDER BY rowid")).scalars().all() == [
            "kept",
            "added",
        ]
    engine.dispose()
    assert _page_size(path) == 4096
