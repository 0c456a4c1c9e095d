"""CEL evaluated in a process of its own, so a time budget can be enforced.

The CEL implementation holds the GIL while it evaluates: a thread cannot be timed out, and a
long comprehension would stall every thread of the worker. Conditions are therefore sent to
a small child process (spawned once, importing nothing but this module and `cel`); one that
overruns its budget is killed with its process, and the next condition starts a new one.
A leaf module, so the child's import stays small.
"""

from __future__ import annotations

import multiprocessing
import threading
from multiprocessing.connection import Connection
from typing import Any

__all__ = ["CelTimeout", "Sandbox"]


class CelTimeout(Exception):
    """The evaluation did not finish within its budget (its process was killed)."""


def _serve(conn: Connection) -> None:
    import cel

    conn.send("ready")
    while True:
        expression, data = conn.recv()
        try:
            conn.send((True, cel.evaluate(expression, data)))
        except Exception as exc:  # every failure of the evaluator goes back as text
            conn.send((False, f"{type(exc).__name__}: {exc}"))


class Sandbox:
    """One child process evaluating CEL, one condition at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: Any = None
        self._conn: Connection | None = None

    def _start(self) -> Connection:
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), daemon=True)
        self._process.start()
        child.close()
        # Starting counts against no budget: wait until the child can evaluate.
        if not parent.poll(60) or parent.recv() != "ready":
            self._process.kill()
            raise RuntimeError("the CEL sandbox process did not start")
        self._conn = parent
        return parent

    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join()
        if self._conn is not None:
            self._conn.close()
        self._process = self._conn = None

    def evaluate(self, expression: str, data: Any, budget: float) -> Any:
        """The expression's value; ValueError with the evaluator's message when it fails,
        CelTimeout past `budget` seconds."""
        with self._lock:
            conn = self._conn or self._start()
            conn.send((expression, data))
            if not conn.poll(budget):
                self._kill()
                raise CelTimeout(f"took longer than {budget} s")
            ok, value = conn.recv()
        if not ok:
            raise ValueError(value)
        return value

    def close(self) -> None:
        with self._lock:
            self._kill()
