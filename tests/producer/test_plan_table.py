"""``photoreel plan``: the table of fields, values and origins, through the full CLI and through
the entry point's own quick path (which must not start Celery, Redis or anything else)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from config.settings import Settings
from producer.cli import cli
from producer.exits import EXIT_USAGE
from producer.plan_table import plan_notes, plan_table, shown_value, understood

runner = CliRunner()
PHOTOREEL = str(Path(sys.executable).parent / "photoreel")
PROMPT = "a fifteen second reel, fast pace, hard cuts, 浪漫的音乐, wedding"


def rows(prompt: str, **given: object) -> dict[str, tuple[str, str]]:
    table = plan_table(understood(prompt, given, Settings()))
    fields, values, origins = ([str(cell) for cell in column.cells] for column in table.columns)
    return {
        field: (value, origin) for field, value, origin in zip(fields, values, origins, strict=True)
    }


def test_each_field_has_its_value_and_where_it_came_from() -> None:
    table = rows(PROMPT, title="Vows", duration="0:20")
    assert table["duration"] == ("20 s", "option")
    assert table["title"] == ("Vows", "option")
    assert table["aspect"] == ("9:16", "platform: Instagram Reels")
    assert table["pace"] == ("fast", 'prompt: "fast pace"')
    assert table["transition"] == ("cut", 'prompt: "hard cuts"')
    assert table["music"] == ("romantic", 'prompt: "浪漫的音乐"')
    assert table["fps"] == ("30", "default")
    assert table["text"] == ("yes", "default")


def test_values_read_as_a_person_would() -> None:
    assert shown_value("music", None) == "none"
    assert shown_value("music_volume", 0.3) == "30%"
    assert shown_value("fade_in", False) == "no"
    notes = plan_notes(understood("a 4:3 wedding video", {}, Settings()))
    assert notes == [
        "not understood (these words set nothing): 'wedding'",
        "not made: 4:3 (photoreel makes 9:16, 16:9, 1:1, 4:5, 3:4, 2:3)",
    ]


def test_the_command_prints_the_table_and_the_notes() -> None:
    result = runner.invoke(cli, ["plan", PROMPT, "--aspect", "4x5"])
    assert result.exit_code == 0, result.output
    assert "platform" not in result.output.split("aspect")[1].splitlines()[0]
    assert "4:5" in result.output and "option" in result.output
    assert "not understood (these words set nothing): 'wedding'" in result.output


def test_an_option_a_job_would_refuse_is_a_usage_error() -> None:
    result = runner.invoke(cli, ["plan", "calm", "--aspect", "4:3"])
    assert result.exit_code == EXIT_USAGE
    assert "aspect: Input should be '9:16', '16:9', '1:1', '4:5', '3:4' or '2:3'" in result.output


def test_the_quick_path_needs_no_redis_and_imports_no_celery(tmp_path: Path) -> None:
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:1/0", "PYTHONVERBOSE": "1"}
    done = subprocess.run(
        [PHOTOREEL, "plan", "小红书笔记，20秒，温馨一点"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "3:4" in done.stdout and "platform: 小红书" in done.stdout
    assert 'prompt: "20秒"' in done.stdout
    imported = [line for line in done.stderr.splitlines() if line.startswith("import ")]
    assert imported and not any("'celery" in line or "'redis'" in line for line in imported)


def test_a_prompt_file_or_folder_is_read_as_a_job_reads_it(tmp_path: Path) -> None:
    folder = tmp_path / "shoot"
    folder.mkdir()
    # Notepad's "Unicode", under the name Explorer gives it with extensions hidden
    (folder / "prompt.txt.txt").write_bytes("15s reel, hard cuts\r\n".encode("utf-16"))
    for argument in (str(folder), str(folder / "prompt.txt.txt")):
        result = runner.invoke(cli, ["plan", argument])
        assert result.exit_code == 0, result.output
        assert f"prompt from {folder / 'prompt.txt.txt'}" in result.output
        assert "prompt.txt.txt was read as UTF-16 (BOM)" in result.output
        assert 'prompt: "hard cuts"' in result.output
        assert "not understood" not in result.output


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("shoot", "shoot: no prompt.txt in this folder"),
        ("prompt.txt", "prompt.txt: no such file"),
        ("ansi/prompt.txt", "ansi/prompt.txt: cannot read it: not UTF-8: byte 0xe9 at line 1"),
    ],
)
def test_a_prompt_path_that_cannot_be_read_is_one_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argument: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shoot").mkdir()
    (tmp_path / "ansi").mkdir()
    (tmp_path / "ansi" / "prompt.txt").write_bytes("caf\u00e9 promo".encode("cp1252"))
    result = runner.invoke(cli, ["plan", f"{argument}/" if argument == "shoot" else argument])
    assert result.exit_code == EXIT_USAGE
    assert f"error: {message}" in result.output.replace("\n", "")


def test_words_that_only_look_like_a_path_stay_a_prompt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "calm").write_text("fast pace")  # a file of the prompt's one word
    for prompt in ("calm", "calm 9/16 reel", "a story.txt", "x" * 5000 + "/a.txt"):
        result = runner.invoke(cli, ["plan", prompt])
        assert result.exit_code == 0, result.output
        assert "prompt from" not in result.output
