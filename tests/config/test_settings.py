from pathlib import Path

import pytest

from config.settings import Settings, environment_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_prefixed_environment_and_redis_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHOTOREEL_WORKERS", "5")
    monkeypatch.setenv("REDIS_URL", "redis://example:6379/1")
    monkeypatch.setenv("NEMO_API_URL", "http://127.0.0.1:9")
    settings = Settings()
    assert settings.workers == 5
    assert settings.redis_url == "redis://example:6379/1"
    assert settings.nemo.nemo_api_url == "http://127.0.0.1:9"


def test_dotenv_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("PHOTOREEL_FPS=24\nNEMO_TOKEN=abc\n")
    settings = Settings()
    assert settings.fps == 24
    assert settings.nemo.nemo_token is not None
    assert "abc" not in repr(settings.nemo)


def test_readme_lists_every_knob_with_its_default() -> None:
    readme = README.read_text()
    for variable, default, _meaning in environment_table():
        row = f"| `{variable}` | `{default}` |"
        assert row in readme, f"README.md lacks the row for {variable}: {row}"


def every_variable() -> list[str]:
    return [
        name
        for variable, _default, _meaning in environment_table()
        for name in variable.split(" or ")
    ]


@pytest.mark.parametrize("source", ["environment", "dotenv"])
def test_an_empty_value_counts_as_unset_for_every_setting(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for variable in every_variable():
        monkeypatch.delenv(variable, raising=False)
    defaults = Settings().model_dump() | {"nemo": Settings().nemo.model_dump()}
    if source == "environment":
        for variable in every_variable():
            monkeypatch.setenv(variable, "")
    else:
        (tmp_path / ".env").write_text("".join(f"{name}=\n" for name in every_variable()))
    settings = Settings()
    assert settings.model_dump() | {"nemo": settings.nemo.model_dump()} == defaults
    assert settings.nemo.nemo_token is None  # an empty NEMO_TOKEN: the anonymous token
