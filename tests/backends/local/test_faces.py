from __future__ import annotations

import subprocess
import sys


def test_importing_the_local_backend_leaves_scikit_image_out() -> None:
    check = (
        "import sys, worker.backends.local.backend\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('skimage', 'scipy')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
