"""The job's music file as NemoVideo takes it: an audio file of the session (mp3, wav, m4a or
aac; any other audio is converted to m4a), referred to in the message by its uploaded name."""

from __future__ import annotations

from pathlib import Path

from worker.backends.base import StageContext
from worker.backends.local.audio import find_music_file, is_audio_file
from worker.backends.nemo.photos import CONVERTED_DIR
from worker.job.errors import JobFailed
from worker.job.spec import JobOptions, has_audio_suffix
from worker.media.ffmpeg import FFmpegError, run_ffmpeg
from worker.prompt.vocabulary import Origin
from worker.understanding.fields import Understanding, understand

ACCEPTED_AUDIO = {".mp3", ".wav", ".m4a", ".aac"}
MUSIC_KEY = "music"
"""The music's key in the ``uploads`` record, beside the photos' positions."""


def named_music(options: JobOptions, asked: Understanding) -> str | None:
    """The music the job names: its option, else a music file its prompt names ("music:
    song.mp3"); None leaves the music to the agent (a mood the prompt asks is in its plan)."""
    if options.music:
        return options.music
    music = asked.music
    if music.origin == Origin.PROMPT and music.value and has_audio_suffix(music.value):
        return music.value
    return None


def music_file(ctx: StageContext) -> Path | None:
    """The music file the job names; None when it names a mood or no music."""
    spec = ctx.spec
    music = named_music(spec.options, understand(spec.prompt, spec.options, ctx.settings))
    if not music or not is_audio_file(music):
        return None
    return find_music_file(music, ctx.photos)


def ready_audio(path: Path, workdir: Path) -> Path:
    """The file to upload: the music itself in an accepted format, else an m4a copy."""
    if path.suffix.lower() in ACCEPTED_AUDIO:
        return path
    target = workdir / CONVERTED_DIR / f"{path.stem}.m4a"
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        run_ffmpeg(["-y", "-i", path, "-vn", "-c:a", "aac", "-b:a", "192k", target])
    except FFmpegError as error:
        raise JobFailed(f"cannot convert the music to m4a: {error}", file=path.name) from None
    return target


def music_wish(music: str | None, uploaded: str | None) -> str | None:
    """The music sentence of a message: the uploaded file by its uploaded name, or the mood.
    A local path is never sent."""
    if not music:
        return None
    if uploaded:
        return f'Background music: use the uploaded audio file "{uploaded}".'
    if is_audio_file(music):
        return f'Background music: the audio file "{Path(music).name}".'
    return f"Background music: {music}."
