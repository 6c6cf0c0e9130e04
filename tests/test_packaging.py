"""The built wheel: the product's packages and nothing of its tests."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "config", "producer", "worker", "tests")
"""What a clean checkout holds that the build could see (tests included, to prove it is left
out); copied, so the build's own folders stay out of the working tree."""


@pytest.mark.integration
def test_the_wheel_ships_no_tests_and_carries_the_stub(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
            shutil.copytree(ROOT / name, source / name, ignore=ignore)
        else:
            shutil.copy2(ROOT / name, source / name)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(source),
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
    assert "worker/outputs/schemas/report-1.schema.json" in names
    metadata = next(name for name in names if name.endswith(".dist-info/METADATA"))
    assert "Provides-Extra: fake" in zipfile.ZipFile(wheel).read(metadata).decode()
