"""What the commands say: names with square brackets are shown as they are."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from producer import terminal
from producer.cli import cli
from producer.exits import EXIT_USAGE
from tests.conftest import make_photo


def test_a_name_in_square_brackets_is_said_as_written(capsys: pytest.CaptureFixture[str]) -> None:
    terminal.say("[draft] shoot: job shoot-1a2b3c4d enqueued")
    terminal.say("x[/y]: left alone")  # would stop the watcher with a MarkupError
    assert capsys.readouterr().err.splitlines() == [
        "[draft] shoot: job shoot-1a2b3c4d enqueued",
        "x[/y]: left alone",
    ]


def test_an_error_naming_a_bracketed_folder_names_it_whole(tmp_path: Path) -> None:
    folder = tmp_path / "[draft] shoot"
    make_photo(folder / "a.jpg")
    (folder / "prompt.txt").mkdir()
    result = CliRunner().invoke(cli, ["run", str(folder)])
    assert result.exit_code == EXIT_USAGE
    assert f"error: {folder / 'prompt.txt'}: a folder, not a text file" in result.output
