"""The built wheel: the product's packages and nothing of its tests."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.integration
def test_the_wheel_ships_no_tests_and_carries_the_stub(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path),
        ],
        check=True,
        cwd=tmp_path,
    )
    [wheel] = tmp_path.glob("photoreel-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert not [name for name in names if name.startswith("tests/")]
    assert "worker/backends/nemo/stub/server.py" in names
    assert "worker/schemas/report-1.schema.json" in names
    metadata = next(name for name in names if name.endswith(".dist-info/METADATA"))
    assert "Provides-Extra: fake" in zipfile.ZipFile(wheel).read(metadata).decode()
