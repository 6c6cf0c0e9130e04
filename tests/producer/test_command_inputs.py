from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from producer.cli import cli
from producer.command_inputs import collect_specs, option_overrides
from producer.exits import EXIT_USAGE
from tests.conftest import make_photo
from worker.job.spec import BackendName


def test_manifest_backend_is_not_overridden_without_a_flag(tmp_path: Path) -> None:
    make_photo(tmp_path / "a.jpg")
    manifest = tmp_path / "m.yaml"
    manifest.write_text("jobs:\n  - {id: cloud, photos: [a.jpg], options: {backend: nemo}}\n")
    [spec] = collect_specs([manifest], option_overrides(None, None, None))
    assert spec.options.backend == BackendName.NEMO
    [flagged] = collect_specs([manifest], option_overrides(BackendName.LOCAL, None, None))
    assert flagged.options.backend == BackendName.LOCAL


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (["--resolution", "4K"], "no such file or folder"),  # the help's own example
        (["--resolution", "1080P", "--container", "MOV"], "no such file or folder"),
        (["--container", "avi"], "'avi': accepted: mp4, mov, webm, mkv"),
        (["--resolution", "4:3"], "'4:3': accepted: 720p, 1080p, 2160p"),
    ],
)
def test_flags_are_taken_as_people_type_them(tmp_path: Path, flags: list[str], said: str) -> None:
    result = CliRunner().invoke(cli, ["run", str(tmp_path / "missing"), *flags])
    assert result.exit_code == EXIT_USAGE
    assert said in " ".join(result.output.split())


@pytest.mark.parametrize("where", ["missing", "a-file"])
def test_a_tmpdir_that_cannot_be_used_is_one_line_before_anything_starts(
    tmp_path: Path, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Python would quietly fall back to /tmp; the user pointed TMPDIR elsewhere for a reason
    make_photo(tmp_path / "shoot" / "a.jpg")
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("TMPDIR", str(tmp_path / where))
    result = CliRunner().invoke(cli, ["run", str(tmp_path / "shoot"), "--backend", "dry"])
    assert result.exit_code == EXIT_USAGE
    said = " ".join(result.output.split())
    assert f"error: TMPDIR={tmp_path / where}: cannot make a folder there" in said
    assert "accepted: a folder you can write, or unset for /tmp" in said


def test_a_feed_given_to_run_is_pointed_to_catalog(tmp_path: Path) -> None:
    feed = tmp_path / "products.CSV"
    feed.write_text("id,title,photos\r\nmug,Mug,a.jpg\r\n")
    result = CliRunner().invoke(cli, ["run", str(feed)])
    assert result.exit_code == EXIT_USAGE
    said = " ".join(result.output.split())
    assert f"{feed}: a product feed, which `photoreel catalog products.CSV" in said
