from __future__ import annotations

import subprocess
import sys

import pytest

# A freed 30 MB buffer raises glibc's moving threshold; an 8 MB buffer then comes from the
# heap and stays with the process once freed, unless the threshold is fixed.
PROBE = """
import sys
import numpy as np
from worker.backends.local.memory import map_big_buffers_apart

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024

if sys.argv[1] == "fixed":
    assert map_big_buffers_apart()
big = np.ones(30 << 20, dtype=np.uint8)
del big
before = rss_mb()
buffers = [np.ones(8 << 20, dtype=np.uint8) for _ in range(4)]
del buffers
print(rss_mb() - before)
"""


def _kept_mb(mode: str) -> float:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True
    )
    return float(result.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc and /proc")
def test_freed_big_buffers_leave_the_process() -> None:
    assert _kept_mb("moving") > 16
    assert _kept_mb("fixed") < 4
