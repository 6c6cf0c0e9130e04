from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

from config.settings import Settings, environment_table
from worker.backends import backend_names, get_plugin
from worker.backends.nemo.settings import NemoSettings

README = Path(__file__).resolve().parents[2] / "README.md"


def settings_classes() -> list[type[BaseSettings]]:
    """The core's settings and every backend's own."""
    plugins = [get_plugin(name) for name in backend_names()]
    return [Settings, *(plugin.settings_class for plugin in plugins if plugin.settings_class)]


def every_setting() -> dict[str, dict[str, object]]:
    return {cls.__name__: cls().model_dump() for cls in settings_classes()}


def test_prefixed_environment_and_redis_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHOTOREEL_WORKERS", "5")
    monkeypatch.setenv("REDIS_URL", "redis://example:6379/1")
    settings = Settings()
    assert settings.workers == 5
    assert settings.redis_url == "redis://example:6379/1"


def test_dotenv_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("PHOTOREEL_FPS=24\n")
    assert Settings().fps == 24


def test_readme_lists_every_knob_with_its_default() -> None:
    readme = README.read_text()
    for variable, default, _meaning in environment_table(*settings_classes()):
        row = f"| `{variable}` | `{default}` |"
        assert row in readme, f"README.md lacks the row for {variable}: {row}"


def every_variable() -> list[str]:
    return [
        name
        for variable, _default, _meaning in environment_table(*settings_classes())
        for name in variable.split(" or ")
    ]


@pytest.mark.parametrize("source", ["environment", "dotenv"])
def test_an_empty_value_counts_as_unset_for_every_setting(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for variable in every_variable():
        monkeypatch.delenv(variable, raising=False)
    defaults = every_setting()
    if source == "environment":
        for variable in every_variable():
            monkeypatch.setenv(variable, "")
    else:
        (tmp_path / ".env").write_text("".join(f"{name}=\n" for name in every_variable()))
    assert every_setting() == defaults
    assert NemoSettings().nemo_token is None  # an empty NEMO_TOKEN: the anonymous token
