"""Settings: one configuration for every command run against a data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from ironbridge.settings import SETTINGS_FILE, Settings, write_demo_settings


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("IRONBRIDGE_ALLOW_PRIVATE_URLS", "IRONBRIDGE_PORT", "IRONBRIDGE_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_the_settings_file_in_the_data_dir_is_read(tmp_path: Path, clean_env: object) -> None:
    (tmp_path / SETTINGS_FILE).write_text("IRONBRIDGE_PORT=9123\nIRONBRIDGE_LOG_LEVEL=debug\n")
    settings = Settings(data_dir=tmp_path)
    assert settings.port == 9123
    assert settings.log_level == "DEBUG"


def test_the_data_dir_from_the_environment_locates_the_file(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    (tmp_path / SETTINGS_FILE).write_text("IRONBRIDGE_ALLOW_PRIVATE_URLS=true\n")
    clean_env.setenv("IRONBRIDGE_DATA_DIR", str(tmp_path))
    assert Settings().allow_private_urls is True


def test_the_environment_wins_over_the_file(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    (tmp_path / SETTINGS_FILE).write_text("IRONBRIDGE_PORT=9123\n")
    clean_env.setenv("IRONBRIDGE_PORT", "9200")
    assert Settings(data_dir=tmp_path).port == 9200
    assert Settings(data_dir=tmp_path, port=9300).port == 9300


def test_the_demo_settings_allow_private_addresses_and_never_overwrite(
    tmp_path: Path, clean_env: object
) -> None:
    data_dir = tmp_path / "new"
    assert Settings(data_dir=data_dir).allow_private_urls is False
    assert write_demo_settings(data_dir) == data_dir / SETTINGS_FILE
    assert Settings(data_dir=data_dir).allow_private_urls is True

    (data_dir / SETTINGS_FILE).write_text("IRONBRIDGE_ALLOW_PRIVATE_URLS=false\n")
    assert write_demo_settings(data_dir) is None
    assert Settings(data_dir=data_dir).allow_private_urls is False


def readme_settings() -> list[str]:
    """The names in the first column of the README's configuration table, in order."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Configuration")
    section = readme[start : readme.index("\n## ", start + 1)]
    names: list[str] = []
    for row in section.splitlines():
        cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
        if not row.startswith("|") or cells[0] in {"variable", "---"}:
            continue
        names += [name.strip().strip("`") for name in cells[0].split(",")]
    return names


def test_the_readme_configuration_table_lists_every_setting_and_only_those() -> None:
    names = readme_settings()
    assert len(names) == len(set(names)), "a setting is listed twice"
    assert set(names) == {name.upper() for name in Settings.model_fields}


def test_the_settings_file_cannot_move_the_data_dir(tmp_path: Path, clean_env: object) -> None:
    (tmp_path / SETTINGS_FILE).write_text(f"IRONBRIDGE_DATA_DIR={tmp_path / 'elsewhere'}\n")
    assert Settings(data_dir=tmp_path).data_dir == tmp_path
