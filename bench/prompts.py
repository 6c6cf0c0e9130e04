"""The share of asked plan fields the planner gets right on the prompt corpus, and how long
``photoreel plan`` takes.

``tests/data/prompts.yaml`` holds prompts as people write them, each with the fields it asks
for. This plans every prompt with the local planner (``make_plan``, no options) and prints,
per field and in all, how many asked fields came out as asked, then each miss. ``--timing``
also runs ``photoreel plan`` as a user would (a new process each time) on an English, a
Chinese and a misspelt prompt, and prints the median wall time of each with the load average.

Run with ``python bench/prompts.py`` (``--misses`` lists every miss, ``--corpus FILE`` reads
another corpus of the same shape).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config.settings import Settings  # noqa: E402
from worker.backends.local.plan import make_plan  # noqa: E402
from worker.job.spec import JobOptions  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "prompts.yaml"
PLAN_FIELDS = {"duration": "duration_s"}
"""Corpus field → plan attribute, where the names differ."""


def planned(plan: Any, field: str) -> Any:
    """What ``plan`` holds for a corpus ``field``, in the corpus's terms (None: it has none)."""
    if field == "music":
        return "none" if plan.music is None else str(plan.music)
    value = getattr(plan, PLAN_FIELDS.get(field, field), None)
    return str(value) if hasattr(value, "value") else value


def as_asked(asked: Any, got: Any) -> bool:
    if isinstance(asked, bool) or asked is None:
        return got is asked
    if isinstance(asked, int | float) and isinstance(got, int | float):
        return abs(asked - got) < 1e-6
    return str(asked) == str(got)


def measure(corpus: Path) -> tuple[Counter[str], Counter[str], list[str]]:
    """(asked per field, right per field, the misses in words)."""
    entries = yaml.safe_load(corpus.read_text(encoding="utf-8"))
    asked: Counter[str] = Counter()
    right: Counter[str] = Counter()
    misses = []
    settings = Settings()
    for entry in entries:
        plan = make_plan(entry["prompt"], JobOptions(), settings)
        for field, value in entry["expect"].items():
            asked[field] += 1
            got = planned(plan, field)
            if as_asked(value, got):
                right[field] += 1
            else:
                misses.append(f"{field}: asked {value!r}, got {got!r} in {entry['prompt']!r}")
    return asked, right, misses


TIMED_PROMPTS = (
    "15-second promo, smooth zoom transitions, fast pace, 9:16 for Reels, title 'Summer Sale'",
    "婚礼照片做成视频，三分钟，浪漫的音乐，慢节奏，淡入淡出",
    "wedding slidshow, romantik music, disolves, 3 minuts",
)


def plan_seconds(prompt: str, runs: int) -> float:
    """Median wall time of ``photoreel plan PROMPT`` in a new process, as a user runs it."""
    command = [str(Path(sys.executable).parent / "photoreel"), "plan", prompt]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--misses", action="store_true", help="list every miss")
    parser.add_argument("--timing", action="store_true", help="time `photoreel plan` too")
    parser.add_argument("--runs", type=int, default=7, help="runs per timed prompt")
    args = parser.parse_args()
    asked, right, misses = measure(args.corpus)
    prompts = len(yaml.safe_load(args.corpus.read_text(encoding="utf-8")))
    for field in sorted(asked, key=lambda name: -asked[name]):
        print(f"{field:>13}: {right[field]:4d} of {asked[field]:4d}")
    total, good = sum(asked.values()), sum(right.values())
    print(f"{prompts} prompts, {total} asked fields: {good} as asked ({100 * good / total:.1f} %)")
    if args.misses:
        print("\n".join(misses))
    if args.timing:
        for prompt in TIMED_PROMPTS:
            load = os.getloadavg()[0]
            seconds = plan_seconds(prompt, args.runs)
            print(f"photoreel plan {prompt[:40]!r}…: {seconds:.2f} s (load {load:.1f})")


if __name__ == "__main__":
    main()
