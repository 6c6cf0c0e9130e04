"""The dry backend: the local backend's plan and timeline (session, photos decoded and framed,
stage 1 the shots, stage 2 music and title), then a contact sheet where the render would be.

Nothing is encoded: ``export`` draws the sheet, ``download`` hands it over, and the report
carries the plan and the timeline as for a video.
"""

from __future__ import annotations

from pathlib import Path

from worker.backends.base import StageContext
from worker.backends.dry.sheet import contact_sheet
from worker.backends.local.backend import LocalBackend
from worker.backends.local.media import load_working_image
from worker.job.draft import Draft, timeline_summary
from worker.job.errors import JobFailed

SHEET_FILE = "contact-sheet.jpg"


class DryBackend(LocalBackend):
    name = "dry"

    def export(self, ctx: StageContext) -> None:
        if ctx.checkpoint.get("sheet"):  # recorded once kept: done, on whichever machine
            return
        draft = Draft.model_validate(ctx.checkpoint["draft"])
        photos = {key: load_working_image(path) for key, path in self._photo_files(ctx).items()}
        target = contact_sheet(draft, photos, timeline_summary(draft), ctx.workdir / SHEET_FILE)
        ctx.record("sheet", {"file": ctx.work.keep(target), "bytes": target.stat().st_size})

    def download(self, ctx: StageContext) -> Path:
        sheet = ctx.checkpoint.get("sheet")
        if not sheet:
            raise JobFailed("no contact sheet was drawn")
        return ctx.work.local(sheet["file"])
