"""The NemoVideo backend's own settings, under the vendor's names and photoreel's
``PHOTOREEL_NEMO_…`` ones."""

from pathlib import Path

import pytest

from config.settings import Settings
from worker.backends import get_plugin
from worker.backends.nemo.settings import NemoSettings


def test_vendor_and_prefixed_names_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEMO_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("PHOTOREEL_NEMO_MAX_SESSIONS", "3")
    monkeypatch.setenv("PHOTOREEL_NEMO_POLL_SECONDS", "0.5")
    settings = get_plugin("nemo").read_settings()
    assert isinstance(settings, NemoSettings)
    assert settings.nemo_api_url == "http://127.0.0.1:9"
    assert (settings.nemo_max_sessions, settings.nemo_poll_seconds) == (3, 0.5)
    limits = get_plugin("nemo").limits(settings)
    assert limits is not None and limits.max_sessions == 3
    assert not any(name.startswith("nemo") for name in Settings.model_fields)


def test_the_token_comes_from_a_dotenv_file_and_is_a_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEMO_TOKEN", raising=False)
    (tmp_path / ".env").write_text("NEMO_TOKEN=abc\n")
    settings = NemoSettings()
    assert settings.nemo_token is not None and "abc" not in repr(settings)
    assert get_plugin("nemo").secrets(settings) == ["abc"]


def test_a_bad_value_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHOTOREEL_NEMO_MAX_SESSIONS", "0")
    with pytest.raises(ValueError, match="PHOTOREEL_NEMO_MAX_SESSIONS"):
        NemoSettings()
