"""`scripts/connector-cost` splits a connector's code into declarations and glue."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "connector-cost"

FIXTURE = {
    "connectors/__init__.py": '"""Connectors."""\n',
    "connectors/base.py": '''
        """The SDK."""

        import abc

        LIMIT = 1


        def helper() -> int:
            # why, not what
            return LIMIT
    ''',
    "connectors/protocols/http.py": """
        def get() -> int:
            return 1
    """,
    "connectors/acme/__init__.py": '''
        """Acme."""
        from .connector import Acme
    ''',
    "connectors/acme/spec.py": '''
        """Acme's catalog entry."""

        from dataclasses import dataclass

        CODES = ("a", "b")
        GUIDE = (
            "Open the admin page and create a user.",
            "Give it read access.",
        )
        FIELD = dict(
            label="Password",
        )


        @dataclass
        class Field:
            """A field of the form."""

            name: str
            size: int = 0
    ''',
    "connectors/acme/connector.py": '''
        """The connector."""

        from .spec import CODES


        class Acme:
            """Acme."""

            codes = CODES

            def knows(self, code: str) -> bool:
                """Whether the code is Acme's."""
                # a comment line is not code
                return code in self.codes


        def run() -> None:
            pass
    ''',
    "connectors/__pycache__/stale.py": "X = 1\n",
    "testing/emulators/acme/app.py": '''
        """The emulator."""


        def serve() -> None:
            return None
    ''',
    "testing/emulators/other.py": "def serve() -> None:\n    return None\n",
}


def make_package(root: Path) -> Path:
    package = root / "ironbridge"
    for name, text in FIXTURE.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text).lstrip("\n"))
    return package


def run(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def test_a_connector_is_split_into_declarations_glue_and_what_is_counted_aside(
    tmp_path: Path,
) -> None:
    costs = json.loads(run("--json", "--src", str(make_package(tmp_path))))
    assert set(costs["connectors"]) == {"acme"}
    assert costs["connectors"]["acme"] == {
        # CODES, GUIDE's and FIELD's brackets, the dataclass (decorator, class, two fields),
        # the class Acme and its field.
        "declarations": 11,
        # `knows` (no docstring, no comment) and `run`.
        "glue": 4,
        # the three imports.
        "other": 3,
        "total": 18,
        # the two guide sentences and the label.
        "guide_prose": 3,
        # only the emulator named for the connector.
        "emulator": 2,
    }
    assert costs["shared"] == {
        "protocols": {**_zero(), "glue": 2, "total": 2},
        "base.py": {**_zero(), "declarations": 1, "glue": 2, "other": 1, "total": 4},
    }


def _zero() -> dict[str, int]:
    keys = ("declarations", "glue", "other", "total", "guide_prose", "emulator")
    return dict.fromkeys(keys, 0)


def test_the_table_lists_each_connector_and_the_shared_kit(tmp_path: Path) -> None:
    table = run("--src", str(make_package(tmp_path))).splitlines()
    acme = next(line for line in table if line.startswith("acme "))
    assert acme.split() == ["acme", "11", "4", "3", "18", "3", "2"]
    assert any(line.split()[:5] == ["base.py", "1", "2", "1", "4"] for line in table)


def test_this_checkout_is_measured_by_default() -> None:
    costs = json.loads(run("--json"))
    assert {"sandbox", "tryton", "sap_s4hana"} <= set(costs["connectors"])
    assert costs["connectors"]["sap_s4hana"]["emulator"] > 0
    assert "protocols" in costs["shared"]


def test_a_table_packed_past_the_formatter_costs_what_it_costs_laid_out(tmp_path: Path) -> None:
    names = [f"STATUS_VALUE_NUMBER_{n}" for n in range(6)]
    laid_out = make_package(tmp_path / "laid_out")
    rows = "".join(f'    "{name}": {n},\n' for n, name in enumerate(names))
    (laid_out / "connectors/acme/maps.py").write_text(f"STATUS = {{\n{rows}}}\n")
    packed = make_package(tmp_path / "packed")
    pairs = [f'"{name}": {n}' for n, name in enumerate(names)]
    (packed / "connectors/acme/maps.py").write_text(
        f"STATUS = {{{', '.join(pairs[:3])},\n          {', '.join(pairs[3:])}}}  # fmt: skip\n"
    )
    first = json.loads(run("--json", "--src", str(laid_out)))["connectors"]["acme"]
    second = json.loads(run("--json", "--src", str(packed)))["connectors"]["acme"]
    assert first == second
    assert first["declarations"] == 11 + len(names) + 2


def test_a_string_of_field_names_in_a_spec_is_code_and_a_sentence_is_prose(
    tmp_path: Path,
) -> None:
    fields = " ".join(f"field_number_{n}" for n in range(8))
    sentence = " ".join(f"word{n}" for n in range(12)) + " and a full stop."
    costs = {}
    for name, text in (("names", fields), ("sentence", sentence)):
        package = make_package(tmp_path / name)
        spec = package / "connectors/acme/spec.py"
        spec.write_text(spec.read_text() + f'VALUE = names(\n    "{text}"\n)\n')
        costs[name] = json.loads(run("--json", "--src", str(package)))["connectors"]["acme"]
    base = {"declarations": 11, "guide_prose": 3}
    # The call's first and last lines are code either way; the string's own line is code when
    # it lists names, and prose when it is a sentence for people.
    assert costs["names"]["declarations"] == base["declarations"] + 3
    assert costs["names"]["guide_prose"] == base["guide_prose"]
    assert costs["sentence"]["declarations"] == base["declarations"] + 2
    assert costs["sentence"]["guide_prose"] == base["guide_prose"] + 1
