"""``photoreel plan``: how a prompt is understood, as a table a user reads before a batch.

One row per field of the plan: its value, where it came from (``option``, ``prompt`` with the
words that asked, ``platform`` with its name, or ``default``), then the words that set nothing
and what was changed from what was asked. Nothing is rendered and nothing needs Redis: the
table is ``worker.understanding.fields`` read aloud.

The command is registered in ``producer.cli``; ``producer.entry`` also runs it through
``plan_app`` without importing the rest of the CLI (Celery, Redis clients, the manifest
reader), so it answers in a fraction of a second.

A prompt that is a path (``photoreel plan shoot/prompt.txt``, ``photoreel plan shoot/``) is
what people type to check a folder before a batch: the file, or the folder's prompt file, is
read as a job would read it, rather than its path being planned as words.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from config.settings import Settings, get_settings
from producer.exits import EXIT_USAGE
from producer.photosets import (
    PROMPT_FILE,
    PROMPT_NAMES,
    PhotoSetError,
    named_file,
    read_prompt_file,
)
from worker.job.spec import JobOptions, describe_validation_error
from worker.prompt.vocabulary import Origin
from worker.understanding.fields import Choice, Understanding, understand

FIELD_NAMES = {
    "duration_s": "duration",
    "music_volume": "music volume",
    "beat_sync": "beat sync",
    "fade_in": "fade in",
    "fade_out": "fade out",
}


PROMPT_SUFFIXES = (".txt", ".md")


class OptionsProblem(ValueError):
    """Options given to ``photoreel plan`` that a job would refuse; the message names them."""


def plan_options(given: dict[str, Any]) -> JobOptions:
    """The options as a job would take them ("0:30" is 30 s, "9x16" is 9:16)."""
    try:
        return JobOptions.model_validate({k: v for k, v in given.items() if v is not None})
    except ValidationError as error:
        raise OptionsProblem(describe_validation_error(error)) from None


def shown_value(name: str, value: Any) -> str:
    if value is None:
        return "none" if name == "music" else "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name == "duration_s":
        return f"{value:g} s"
    if name == "music_volume":
        return f"{round(value * 100)}%"
    return str(value)


def shown_origin(choice: Choice[Any]) -> str:
    if choice.origin == Origin.PROMPT and choice.words:
        return f'prompt: "{choice.words}"'
    if choice.origin == Origin.PLATFORM and choice.words:
        return f"platform: {choice.words}"
    return str(choice.origin)


def plan_table(asked: Understanding) -> Table:
    table = Table("field", "value", "from")
    for name, choice in asked.choices().items():
        table.add_row(
            FIELD_NAMES.get(name, name),
            shown_value(name, choice.value),
            shown_origin(choice),
            style="dim" if choice.origin == Origin.DEFAULT else None,
        )
    return table


def plan_notes(asked: Understanding) -> list[str]:
    """The lines under the table: the words that set nothing, then each warning."""
    return [*asked.not_understood_warning(), *asked.warnings]


def prompt_source(argument: str) -> Path | None:
    """The file whose prompt ``argument`` names, when it is a path: it holds a slash or ends
    in ``.txt`` or ``.md`` (a one-word prompt that is also a file's name here stays words),
    and is a file, or a folder (its prompt file, found as a job finds it). A PhotoSetError
    for a folder without one, and for a file name alone (``prompt.txt``) that is no file."""
    if "/" not in argument and not argument.lower().endswith(PROMPT_SUFFIXES):
        return None
    path = Path(argument).expanduser()
    try:
        if path.is_dir():
            found = named_file(path, PROMPT_NAMES, PROMPT_FILE)
            if found is None:
                raise PhotoSetError(f"{path}: no {PROMPT_FILE} in this folder")
            return found
        if path.is_file():
            return path
    except OSError:  # a prompt too long to be a file name
        return None
    if argument.lower().endswith(PROMPT_SUFFIXES) and not any(c.isspace() for c in argument):
        raise PhotoSetError(f"{path}: no such file")
    return None


def understood(prompt: str, given: dict[str, Any], settings: Settings) -> Understanding:
    return understand(prompt, plan_options(given), settings)


def plan(
    prompt: Annotated[str, typer.Argument(help="the prompt, as a job would have it")],
    duration: Annotated[str | None, typer.Option(help="seconds, or 0:30, 90s …")] = None,
    aspect: Annotated[str | None, typer.Option(help="9:16, 16:9, 1:1, 4:5, 3:4 or 2:3")] = None,
    resolution: Annotated[str | None, typer.Option(help="720p, 1080p or 2160p")] = None,
    fps: Annotated[int | None, typer.Option(help="frames per second")] = None,
    title: Annotated[str | None, typer.Option(help="the title")] = None,
    music: Annotated[str | None, typer.Option(help="a mood or an audio file")] = None,
) -> None:
    """Show how a prompt is read: each field, its value and where it came from (an option,
    the prompt's words, a platform, or the default). No Redis, nothing rendered."""
    given = {"duration": duration, "aspect": aspect, "resolution": resolution}
    given.update({"fps": fps, "title": title, "music": music})
    out = Console()
    try:
        if (source := prompt_source(prompt)) is not None:
            prompt, note = read_prompt_file(source)
            read = f"prompt from {source}" + (f" ({note})" if note else "")
            out.print(escape(read), soft_wrap=True)
        asked = understood(prompt, given, get_settings())
    except (OptionsProblem, PhotoSetError) as problem:
        Console(stderr=True).print(f"[red]error:[/] {escape(str(problem))}", soft_wrap=True)
        raise typer.Exit(EXIT_USAGE) from None
    out.print(plan_table(asked))
    for note in plan_notes(asked):
        out.print(f"[yellow]![/] {escape(note)}")


plan_app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
plan_app.command()(plan)


@plan_app.callback()
def _plan_only() -> None:
    """``photoreel plan`` alone (the other commands are in ``producer.cli``)."""
