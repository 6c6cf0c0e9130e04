"""The typed checkpoint: a fact the backend does not declare, or of the wrong shape, is refused
where it is recorded; what is read back is validated before a stage runs."""

from __future__ import annotations

from typing import Any

import pytest

from worker.backends import backend_names, get_plugin
from worker.backends.local.checkpoint import LocalCheckpoint, PlanRecord
from worker.backends.nemo.checkpoint import NemoCheckpoint
from worker.job.checkpoint import Checkpoint, CheckpointError, checked_record, read_checkpoint

PLAN = {
    "duration_s": 6.0, "aspect": "9:16", "resolution": "1080p", "fps": 30, "pace": "fast",
    "transition": "zoom", "motion": "kenburns", "fade_in": True, "fade_out": True,
    "title": "Sale", "music": "upbeat", "music_volume": 0.8,
    "width": 1080, "height": 1920, "frames": 180,
}  # fmt: skip


def recorder(model: type[Checkpoint]) -> tuple[dict[str, Any], Any]:
    book: dict[str, Any] = {}
    return book, checked_record(model, book.__setitem__)


def test_a_misspelt_fact_is_refused_where_it_is_recorded() -> None:
    book, record = recorder(NemoCheckpoint)
    with pytest.raises(CheckpointError, match="NemoCheckpoint has no fact 'render_ids'"):
        record("render_ids", ["render_1"])
    assert book == {}


def test_a_fact_of_the_wrong_shape_is_refused_naming_it() -> None:
    book, record = recorder(NemoCheckpoint)
    with pytest.raises(CheckpointError, match=r"message_sent\.at"):
        record("message_sent", {"session_id": "s-1"})
    record("message_sent", {"session_id": "s-1", "at": "2026-01-01T00:00:00+00:00"})
    record("message_sent", None)  # cleared: it certainly started nothing
    assert book == {"message_sent": None}


def test_another_backends_fact_is_not_one_of_this_backends() -> None:
    _, record = recorder(LocalCheckpoint)
    with pytest.raises(CheckpointError, match="no fact 'credits_before'"):
        record("credits_before", 100)


def test_what_is_read_back_is_validated_as_the_backends_checkpoint() -> None:
    facts = read_checkpoint(LocalCheckpoint, {"session_id": "local-1", "plan": PLAN})
    assert isinstance(facts, LocalCheckpoint) and isinstance(facts.plan, PlanRecord)
    assert (facts.plan.music, facts.plan.frames) == ("upbeat", 180)
    with pytest.raises(CheckpointError, match=r"plan\.fps"):
        read_checkpoint(LocalCheckpoint, {"plan": {**PLAN, "fps": "fast"}})


def test_every_backend_declares_a_checkpoint_with_the_shared_facts() -> None:
    for name in backend_names():
        model = get_plugin(name).checkpoint
        assert issubclass(model, Checkpoint)
        assert {"session_id", "plan", "draft", "output_file"} <= set(model.model_fields)
