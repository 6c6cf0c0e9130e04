"""Music files a prompt names: "music: song.mp3", "use 'Summer Mix 2.wav' as the soundtrack",
"背景音乐用 track-02.m4a".

A name is what is written between spaces or punctuation and ends in an audio suffix, or
whatever is between a pair of quotes and ends in one (people quote a name with spaces). The
file is the job's music, looked for beside its photos; the words of its name are not read as
anything else ("mp3" is no typo of a word, "02" no number).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from worker.job.spec import AUDIO_SUFFIXES

_SUFFIX = "(?:" + "|".join(suffix.removeprefix(".") for suffix in AUDIO_SUFFIXES) + ")"
_QUOTES = ('""', "“”", "''", "‘’", "「」", "『』")
_QUOTED = "|".join(
    rf"{re.escape(opening)}([^{re.escape(closing)}\n]+?\.{_SUFFIX}){re.escape(closing)}"
    for opening, closing in _QUOTES
)
_NAME_CHAR = r"[^\s,;:=!?，。；：、！？()（）\[\]【】<>|@\"'“”‘’「」『』]"
_BARE = rf"(?<!{_NAME_CHAR})({_NAME_CHAR}+\.{_SUFFIX})(?![A-Za-z0-9_@])"
_NAME = re.compile(f"{_QUOTED}|{_BARE}", re.IGNORECASE)


@dataclass(frozen=True)
class MusicFile:
    name: str
    start: int
    end: int
    """Where it is written, its quotes included."""


def music_files(prompt: str) -> list[MusicFile]:
    """Every audio file name written in ``prompt``, in order."""
    return [
        MusicFile(next(group for group in match.groups() if group), match.start(), match.end())
        for match in _NAME.finditer(prompt)
    ]
