import pytest

from tests.integration.chaos import FAST_RECOVERY


@pytest.fixture
def fast_recovery(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short leases and frequent reconciling, for the worker processes a test starts."""
    for name, value in FAST_RECOVERY.items():
        monkeypatch.setenv(name, value)
