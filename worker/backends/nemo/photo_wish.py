"""What the generation message asks about the photos, when there are more than the asked length
can show.

The cloud gets every photo (it is the one that edits) and chooses the shots itself, so the
local backend's choice (``worker.backends.local.selection``) cannot be made for it. What can be
done honestly: ask the agent for at most as many photos as the length shows readably (the same
shortest shot per pace), or for every one with ``photos: all``, and say so in the job's
warnings, since what it shows is the agent's choice.
"""

from __future__ import annotations

from dataclasses import dataclass

from config.settings import Settings
from worker.backends.local.selection import MIN_SHOT_S, readable_shots
from worker.job.spec import JobSpec, PhotoChoice
from worker.understanding.fields import understand


@dataclass(frozen=True)
class PhotoWish:
    sentence: str
    """For the agent, in the generation message and the answer to its question."""
    warning: str | None = None
    """For the report and the run's summary; None when every photo fits."""


def photo_wish(spec: JobSpec, settings: Settings) -> PhotoWish:
    count = len(spec.photos)
    every = PhotoWish(f"Use the {count} uploaded photos, in upload order.")
    asked = understand(spec.prompt, spec.options, settings)
    duration = asked.stated("duration_s")  # clamped to the longest video, if it was longer
    if duration is None:  # the agent chooses the length too
        return every
    pace = asked.pace.value
    fits, shortest = readable_shots(duration, pace), MIN_SHOT_S[pace]
    if count <= fits:
        return every
    if spec.options.photos == PhotoChoice.ALL:
        return PhotoWish(
            f"Use every one of the {count} uploaded photos, in upload order, however short each"
            " shot.",
            f"{count} photos for {duration:g} s: NemoVideo was asked to show every one"
            f" (photos: all), {duration / count:.2f} s each, under the {shortest:g} s a shot"
            " needs to be seen",
        )
    return PhotoWish(
        f"Of the {count} uploaded photos, show at most {fits}: leave out near-duplicates, prefer"
        f" the sharpest, spread them over the whole set and keep upload order; a shot shorter"
        f" than {shortest:g} s cannot be seen.",
        f"{count} photos for {duration:g} s at a {pace} pace: NemoVideo was asked to show at"
        f" most {fits} of them (shots of at least {shortest:g} s) and chooses which"
        " (photos: all asks for every one)",
    )
