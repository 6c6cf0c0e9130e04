"""Frame sizes for tests: every aspect at a given short side."""

from __future__ import annotations

from worker.job.spec import Aspect


def frame_size(aspect: Aspect, short: int) -> tuple[int, int]:
    """(width, height) of ``aspect`` whose short side is ``short`` (even sides)."""
    across, down = aspect.ratio
    long = round(short * max(across, down) / min(across, down) / 2) * 2
    return (long, short) if across > down else (short, long)
