"""YAML campaign manifests → job specs, with every error reported at once, line and field.

```yaml
defaults: {prompt: "…", options: {duration: 15, aspect: "9:16"}}
jobs:
  - id: spring
    photos: ["spring/*.jpg"]        # globs relative to the manifest
    prompt: "…"                     # optional, else the default
    options: {title: "Spring"}      # merged over the defaults
```
Photo paths may not leave the manifest's folder; symlinks that lead out are refused.
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from producer.photosets import IMAGE_SUFFIXES, job_id_for
from worker.spec import JobOptions, JobSource, JobSpec

URL_PREFIXES = ("http://", "https://")


class ManifestError(ValueError):
    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"{path}: {len(problems)} problem(s)\n{listing}")


class ManifestDefaults(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt: str = ""
    options: dict[str, Any] = Field(default_factory=dict)


class ManifestJob(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    photos: list[str] = Field(min_length=1)
    prompt: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    defaults: ManifestDefaults = Field(default_factory=ManifestDefaults)
    jobs: list[ManifestJob] = Field(min_length=1)


def _node_lines(node: yaml.Node, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], int]:
    """Map each key path (``("jobs", "0", "options")``) to its 1-based line in the file."""
    lines = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*path, str(key_node.value))
            lines.update(_node_lines(value_node, child))
            lines[child] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.update(_node_lines(item, (*path, str(index))))
    return lines


def _locate(lines: dict[tuple[str, ...], int], location: tuple[str, ...]) -> int:
    for end in range(len(location), -1, -1):
        if location[:end] in lines:
            return lines[location[:end]]
    return 1


def _describe(lines: dict[tuple[str, ...], int], location: tuple[str, ...], message: str) -> str:
    field = ".".join(location) or "(manifest)"
    return f"line {_locate(lines, location)}: {field}: {message}"


def _resolve_photos(
    patterns: list[str], root: Path, allowed_roots: list[Path]
) -> tuple[list[str], list[tuple[int, str]]]:
    photos: list[str] = []
    problems: list[tuple[int, str]] = []
    for index, pattern in enumerate(patterns):
        if pattern.startswith(URL_PREFIXES):
            photos.append(pattern)
            continue
        matches = sorted(glob.glob(str(root / pattern), recursive=True))
        if not matches:
            problems.append((index, f"{pattern!r} matches no file"))
            continue
        for match in matches:
            resolved = Path(match).resolve()
            if not any(resolved.is_relative_to(allowed) for allowed in allowed_roots):
                problems.append((index, f"{pattern!r} leads outside the manifest's folder"))
                break
            if resolved.is_file() and resolved.suffix.lower() in IMAGE_SUFFIXES:
                photos.append(str(resolved))
    return photos, problems


def load_manifest(path: Path, *, allowed_roots: list[Path] | None = None) -> list[JobSpec]:
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ManifestError(path, [f"not valid YAML: {error}"]) from None
    if node is None or not isinstance(data, dict):
        raise ManifestError(path, ["line 1: a manifest is a mapping with `defaults` and `jobs`"])
    lines = _node_lines(node)
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as error:
        problems = [
            _describe(lines, tuple(str(part) for part in item["loc"]), item["msg"])
            for item in error.errors()
        ]
        raise ManifestError(path, problems) from None

    root = path.parent.resolve()
    roots = [root, *(allowed.resolve() for allowed in allowed_roots or [])]
    problems: list[str] = []
    specs: list[JobSpec] = []
    for index, job in enumerate(manifest.jobs):
        where = ("jobs", str(index))
        try:
            options = JobOptions.model_validate({**manifest.defaults.options, **job.options})
        except ValidationError as error:
            for item in error.errors():
                location = (*where, "options", *(str(part) for part in item["loc"]))
                problems.append(_describe(lines, location, item["msg"]))
            continue
        photos, photo_problems = _resolve_photos(job.photos, root, roots)
        for photo_index, message in photo_problems:
            problems.append(_describe(lines, (*where, "photos", str(photo_index)), message))
        if options.music and not options.music.startswith(URL_PREFIXES):
            music = (root / options.music).resolve()
            if music.exists():
                options = options.model_copy(update={"music": str(music)})
        if photo_problems:
            continue
        if not photos:
            problems.append(_describe(lines, (*where, "photos"), "no photos found"))
            continue
        job_id = job.id or job_id_for(f"{path.stem}-{index + 1}")
        try:
            specs.append(
                JobSpec(
                    id=job_id,
                    photos=photos,
                    prompt=job.prompt if job.prompt is not None else manifest.defaults.prompt,
                    options=options,
                    source=JobSource(kind="manifest", path=str(path.resolve())),
                )
            )
        except ValidationError as error:
            for item in error.errors():
                location = (*where, *(str(part) for part in item["loc"]))
                problems.append(_describe(lines, location, item["msg"]))
    if problems:
        raise ManifestError(path, problems)
    return specs
