"""What a command takes from its arguments and the environment, checked before anything is
made: the jobs of its paths, the options its flags set, the output bucket, the Redis it names.
Each problem is one line and exit code 2."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from config.settings import get_settings
from producer.exits import EXIT_USAGE
from producer.manifest import ManifestError, load_manifest
from producer.photosets import PhotoSetError, specs_from_folder
from producer.progress import counting
from worker.job.spec import BackendName, Container, JobOptions, JobSpec, Resolution

if TYPE_CHECKING:
    from worker.files.bucket import Bucket


from producer.terminal import console

MANIFEST_SUFFIXES = (".yaml", ".yml")
FEED_SUFFIXES = (".csv", ".tsv", ".xml", ".jsonl", ".ndjson")
"""Files ``catalog`` reads, named when given to ``run`` by mistake."""


def written_choice(choices: type[StrEnum]) -> Callable[[str], StrEnum]:
    """A flag's value read by its enum, which takes it as people type it (``MOV``, ``1080P``,
    ``4K``), where Click's choices take only the exact values; else the accepted ones."""

    def parse(value: str) -> StrEnum:
        try:
            return choices(value)
        except ValueError:
            accepted = ", ".join(choice.value for choice in choices)
            raise typer.BadParameter(f"{value!r}: accepted: {accepted}") from None

    return parse


class UsageProblem(Exception):
    """Bad input from the command line: reported in one line, exit code 2."""


def collect_specs(paths: list[Path], overrides: dict[str, object]) -> list[JobSpec]:
    """The jobs of ``paths``. Options: ``overrides`` (the command line's flags) win over a
    manifest's, which win over the settings' defaults (``PHOTOREEL_BACKEND``)."""
    defaults = default_options()
    specs: list[JobSpec] = []
    for path in paths:
        if path.is_dir():
            found = specs_from_folder(path, JobOptions.model_validate({**defaults, **overrides}))
        elif path.is_file() and path.suffix.lower() in MANIFEST_SUFFIXES:
            console.print(f"reading {path}")
            progress = counting(console, f"reading {path.name}")
            found = load_manifest(path, overrides=overrides, defaults=defaults, progress=progress)
        elif not path.exists():
            raise UsageProblem(f"{path}: no such file or folder")
        elif path.suffix.lower() in FEED_SUFFIXES:
            raise UsageProblem(
                f"{path}: a product feed, which `photoreel catalog {path.name} --prompt-template"
                ' "…"` makes into videos; run takes photo folders and .yaml manifests'
            )
        else:
            raise UsageProblem(f"{path}: not a photo folder or a .yaml manifest")
        specs.extend(found)
    named: dict[str, JobSpec] = {}
    for spec in specs:
        if spec.id in named:
            first, second = named[spec.id].source.path, spec.source.path
            where = f" ({first} and {second})" if first != second else f" (both in {first})"
            raise UsageProblem(f"two jobs are named {spec.id!r}{where}: rename a folder or set ids")
        named[spec.id] = spec
    return specs


def default_options() -> dict[str, object]:
    """Options a job takes from the settings when nothing more specific sets them."""
    return {"backend": BackendName(get_settings().backend)}


def option_overrides(
    backend: BackendName | None, container: Container | None, resolution: Resolution | None
) -> dict[str, object]:
    """The options given as flags: only these override a manifest's or a job.yaml's."""
    flags = {"backend": backend, "container": container, "resolution": resolution}
    return {name: value for name, value in flags.items() if value is not None}


def output_location(out: str | None) -> str:
    location = out or get_settings().out
    return location if "://" in location else str(Path(location).expanduser().resolve())


def redis_or_exit() -> None:
    """With ``REDIS_URL``, check it answers before anything is made: else a usage error."""
    from urllib.parse import urlsplit

    from redis import Redis
    from redis.exceptions import RedisError

    url = get_settings().redis_url
    if url is None:
        return
    try:
        Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5).ping()
    except (RedisError, ValueError) as problem:
        parts = urlsplit(url)
        shown = parts._replace(netloc=f"***@{parts.hostname}:{parts.port}").geturl()
        console.print(
            f"[red]error:[/] REDIS_URL={shown if parts.password else url}: "
            f"Redis does not answer ({problem}); accepted: the redis://host:port/db of a "
            "running Redis, or unset for a self-contained run"
        )
        raise typer.Exit(EXIT_USAGE) from None


def temp_dir_or_exit() -> None:
    """``TMPDIR``, when set, is a folder this user can make folders in: else a usage error.
    Otherwise the run's scratch, worker log and its workers' temporary files would land in
    ``/tmp``, on a disk the user meant to spare."""
    import os

    from producer.run_files import temp_dir_problem

    problem = temp_dir_problem()
    if problem is not None:
        console.print(
            f"[red]error:[/] TMPDIR={os.environ['TMPDIR']}: cannot make a folder there"
            f" ({problem.strerror}); accepted: a folder you can write, or unset for /tmp"
        )
        raise typer.Exit(EXIT_USAGE) from None


def bucket_or_exit(location: str) -> Bucket:
    """The output bucket, checked before any job is queued: a bad one is a usage error."""
    from worker.files.bucket import BucketError, open_bucket

    try:
        bucket = open_bucket(location)
        bucket.check()
    except (ValueError, BucketError) as problem:
        console.print(f"[red]error:[/] output bucket: {problem}")
        raise typer.Exit(EXIT_USAGE) from None
    return bucket


def specs_or_exit(paths: list[Path], overrides: dict[str, object]) -> list[JobSpec]:
    try:
        return collect_specs(paths, overrides)
    except (UsageProblem, PhotoSetError, ManifestError) as problem:
        console.print(f"[red]error:[/] {escape(str(problem))}")
        raise typer.Exit(EXIT_USAGE) from None
