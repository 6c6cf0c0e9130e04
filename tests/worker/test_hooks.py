"""A worker process warms every registered backend up before its first job."""

from __future__ import annotations

import pytest

from worker import hooks
from worker.backends import backend_names


def test_every_registered_backend_is_built_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    monkeypatch.setattr(hooks, "get_backend", built.append)
    hooks._warm_up_backends()
    assert built == backend_names() and {"local", "nemo", "dry"} <= set(built)
