"""The prompt corpus (``tests/data/prompts.yaml``, and ``prompts_fresh.yaml``: prompts written
after the parser): prompts as people write them, each with the fields it asks for. Every asked
field must come out of the planner as asked; a miss names the prompt, the field, what was asked
and what was planned."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from config.settings import Settings
from worker.backends.local.plan import make_plan
from worker.job.spec import JobOptions

DATA = Path(__file__).resolve().parents[2] / "data"
CORPORA = (DATA / "prompts.yaml", DATA / "prompts_fresh.yaml")
ENTRIES: list[dict[str, Any]] = [
    entry for corpus in CORPORA for entry in yaml.safe_load(corpus.read_text(encoding="utf-8"))
]


def planned(plan: Any, field: str) -> Any:
    if field == "duration":
        return plan.duration_s
    if field == "music":
        return "none" if plan.music is None else str(plan.music)
    value = getattr(plan, field)
    return str(value) if hasattr(value, "value") else value


def test_the_corpus_is_big_and_bilingual() -> None:
    chinese = [e for e in ENTRIES if any("\u4e00" <= char <= "\u9fff" for char in e["prompt"])]
    assert len(ENTRIES) >= 200
    assert len(chinese) >= 60 and len(ENTRIES) - len(chinese) >= 140
    assert all(entry["expect"] for entry in ENTRIES)


@pytest.mark.parametrize("entry", ENTRIES, ids=[f"{n:03d}" for n in range(len(ENTRIES))])
def test_every_asked_field_is_planned_as_asked(entry: dict[str, Any]) -> None:
    plan = make_plan(entry["prompt"], JobOptions(), Settings())
    misses = {
        field: (asked, got)
        for field, asked in entry["expect"].items()
        if (got := planned(plan, field)) != asked
        and not (isinstance(asked, int | float) and got == pytest.approx(asked))
    }
    assert not misses, f"prompt {entry['prompt']!r}: (asked, planned) {misses}"
