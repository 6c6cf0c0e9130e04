"""Render speed of the local backend against two references, on the same 8 photos.

1. ours: the LocalBackend stages (decode, plan, music, render) for a 15 s 1080x1920 30 fps
   promo with zoom transitions, Ken Burns, a title and built-in music, in a child process so
   its peak memory can be read.
2. floor: ffmpeg encoding the same number of frames of one still (a frame of our video) with
   the same encoder settings; the least any renderer using this encoder can take. Measured two
   ways: ffmpeg looping a PNG, and the still piped raw the way we pipe frames.
3. naive: one ffmpeg filtergraph slideshow (zoompan per photo, xfade between, drawtext title,
   same music), the usual way to do this with ffmpeg alone.

Run with ``python bench/render.py``; ``--keep DIR`` keeps the photos and videos.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import imageio_ffmpeg
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config.settings import Settings  # noqa: E402
from worker.backends.local.titles import find_font  # noqa: E402

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
PROMPT = "15-second promo, smooth zoom transitions, fast pace, 9:16 for Reels, title 'Summer Sale'"
WIDTH, HEIGHT, FPS, SECONDS, PHOTOS = 1080, 1920, 30, 15.0, 8
FRAMES = round(SECONDS * FPS)


def make_photo(path: Path, width: int, height: int, seed: int) -> None:
    """A photo-like test picture: a soft colour field, objects with some texture, sensor noise."""
    rng = np.random.default_rng(seed)
    field = rng.uniform(30, 220, (4, 3, 3)).astype(np.uint8)
    image = np.asarray(Image.fromarray(field).resize((width, height), Image.BICUBIC)).copy()
    for _ in range(8):
        radius = int(rng.uniform(0.04, 0.16) * min(width, height))
        cx, cy = int(rng.uniform(radius, width - radius)), int(rng.uniform(radius, height - radius))
        ys, xs = np.ogrid[-radius:radius, -radius:radius]
        inside = xs**2 + ys**2 < radius**2
        stripes = 1.0 + 0.15 * np.sin((xs + ys) / rng.uniform(4, 12))
        patch = image[cy - radius : cy + radius, cx - radius : cx + radius]
        colour = rng.uniform(40, 220, 3)
        patch[inside] = np.clip(colour[None, :] * stripes[inside][:, None], 0, 255).astype(np.uint8)
    noise = rng.normal(0, 3, (height, width, 1)).astype(np.float32)
    noisy = np.clip(image + noise, 0, 255).astype(np.uint8)
    Image.fromarray(noisy).save(path, quality=90)


def make_photos(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(PHOTOS):
        path = folder / f"photo-{index + 1}.jpg"
        size = (4032, 3024) if index % 3 else (3024, 4032)
        if not path.exists():
            make_photo(path, *size, seed=index)
        paths.append(path)
    return paths


class ChildPeakWatcher:
    """Peak resident memory (VmHWM) of this process's child processes, polled from /proc.

    ``ru_maxrss`` of children is no use here: it counts the parent's pages a child shares
    between fork and exec.
    """

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _children(self) -> list[str]:
        pids = []
        for task in Path("/proc/self/task").iterdir():
            children = task / "children"
            if children.exists():
                pids += children.read_text().split()
        return pids

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            for pid in self._children():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak_mb = max(self.peak_mb, int(line.split()[1]) / 1024)

    def __enter__(self) -> ChildPeakWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_ours(photos: list[Path], workdir: Path) -> dict[str, float]:
    """The backend in this process; called as a child so ``ru_maxrss`` is ours alone."""
    from worker.backends.base import StageContext
    from worker.backends.local import LocalBackend
    from worker.spec import JobSpec

    records: dict[str, object] = {}
    spec = JobSpec(id="bench", photos=[str(p) for p in photos], prompt=PROMPT)
    ctx = StageContext(spec, workdir, photos, records, records.__setitem__, Settings())
    backend = LocalBackend()
    timings = {}
    with ChildPeakWatcher() as encoder_memory:
        for stage in ("open_session", "upload", "generate", "await_completion", "export"):
            started = time.perf_counter()
            getattr(backend, stage)(ctx)
            timings[stage] = time.perf_counter() - started
    backend.download(ctx)
    return {
        "total_s": sum(timings.values()),
        "export_s": timings["export"],
        "upload_s": timings["upload"],
        "python_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "ffmpeg_peak_rss_mb": encoder_memory.peak_mb,
    }


def timed(command: list[str], stdin: bytes | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, input=stdin, check=True, capture_output=True)
    return time.perf_counter() - started


def x264_arguments(settings: Settings) -> list[str]:
    return ["-c:v", "libx264", "-preset", settings.x264_preset, "-crf", str(settings.crf),
            "-profile:v", "high", "-g", str(FPS * 2), "-pix_fmt", "yuv420p"]  # fmt: skip


def floor_png(still: Path, output: Path, settings: Settings) -> float:
    return timed([FFMPEG, "-y", "-v", "error", "-loop", "1", "-framerate", str(FPS),
                  "-i", str(still), "-frames:v", str(FRAMES), *x264_arguments(settings),
                  str(output)])  # fmt: skip


def raw_encode_command(source: str, output: Path, settings: Settings) -> list[str]:
    return [FFMPEG, "-y", "-v", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p",
            "-s", f"{WIDTH}x{HEIGHT}", "-framerate", str(FPS), "-i", source,
            *x264_arguments(settings), str(output)]  # fmt: skip


def floor_piped(still: Path, output: Path, settings: Settings) -> float:
    """The still converted once, then piped raw FRAMES times, as our frames are."""
    raw = subprocess.run(
        [FFMPEG, "-v", "error", "-i", str(still), "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    command = raw_encode_command("pipe:0", output, settings)
    started = time.perf_counter()
    with subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.DEVNULL) as process:
        assert process.stdin is not None
        for _ in range(FRAMES):
            process.stdin.write(raw)
        process.stdin.close()
        process.wait()
    return time.perf_counter() - started


def encode_only(video: Path, scratch: Path, output: Path, settings: Settings) -> float:
    """Our own frames, decoded to a raw file beforehand, encoded again: the content's cost."""
    raw = scratch / "frames.yuv"
    subprocess.run([FFMPEG, "-y", "-v", "error", "-i", str(video), "-f", "rawvideo",
                    "-pix_fmt", "yuv420p", str(raw)], check=True)  # fmt: skip
    try:
        return timed(raw_encode_command(str(raw), output, settings))
    finally:
        raw.unlink()


def naive_slideshow(photos: list[Path], music: Path, output: Path, settings: Settings) -> float:
    """zoompan on each photo, xfade between them, drawtext title, music muxed: one ffmpeg."""
    fade = 0.35
    shot = (SECONDS + fade * (len(photos) - 1)) / len(photos)
    shot_frames = round(shot * FPS)
    inputs: list[str] = []
    chains = []
    for index, photo in enumerate(photos):
        inputs += ["-loop", "1", "-framerate", str(FPS), "-t", f"{shot:.3f}", "-i", str(photo)]
        chains.append(
            f"[{index}:v]scale={WIDTH * 2}:{HEIGHT * 2}:force_original_aspect_ratio=increase,"
            f"crop={WIDTH * 2}:{HEIGHT * 2},"
            f"zoompan=z='min(zoom+0.0015,1.3)':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2'"
            f":d={shot_frames}:s={WIDTH}x{HEIGHT}:fps={FPS},setsar=1[v{index}]"
        )
    previous = "v0"
    for index in range(1, len(photos)):
        offset = index * (shot - fade)
        chains.append(
            f"[{previous}][v{index}]xfade=transition=zoomin:duration={fade}:offset={offset:.3f}[x{index}]"
        )
        previous = f"x{index}"
    font = find_font(False)
    title = f"fontfile={font}:" if font else ""
    chains.append(
        f"[{previous}]drawtext={title}text='Summer Sale':fontsize=100:fontcolor=white:"
        f"box=1:boxcolor=black@0.5:boxborderw=30:x=(w-text_w)/2:y=h*0.32:"
        f"enable='between(t,0.25,3.75)',format=yuv420p[out]"
    )
    command = [FFMPEG, "-y", "-v", "error", *inputs, "-i", str(music),
               "-filter_complex", ";".join(chains), "-map", "[out]", "-map", f"{len(photos)}:a",
               "-frames:v", str(FRAMES), *x264_arguments(settings), "-c:a", "aac", "-b:a", "192k",
               str(output)]  # fmt: skip
    return timed(command)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--keep", type=Path, help="folder to keep photos and videos in")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--skip-naive", action="store_true", help="do not time the naive filtergraph"
    )
    args = parser.parse_args()
    if args.child:
        photos = sorted((args.child / "photos-in").glob("*.jpg"))
        print(json.dumps(run_ours(photos, args.child / "ours")))
        return
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        settings = Settings()
        print(f"making {PHOTOS} photos (12 MP JPEG) …", flush=True)
        photos = make_photos(folder / "photos-in")
        (folder / "ours").mkdir(parents=True, exist_ok=True)
        print("rendering with the local backend …", flush=True)
        child = subprocess.run(
            [sys.executable, __file__, "--child", str(folder)],
            check=True,
            capture_output=True,
            text=True,
        )
        ours = json.loads(child.stdout.strip().splitlines()[-1])
        video = folder / "ours" / "video.mp4"
        still = folder / "still.png"
        subprocess.run([FFMPEG, "-y", "-v", "error", "-ss", "7", "-i", str(video),
                        "-frames:v", "1", str(still)], check=True)  # fmt: skip
        print("encoding the floors …", flush=True)
        png_floor = floor_png(still, folder / "floor-png.mp4", settings)
        piped_floor = floor_piped(still, folder / "floor-piped.mp4", settings)
        content_floor = encode_only(video, folder, folder / "encode-only.mp4", settings)
        naive = None
        if not args.skip_naive:
            print("rendering the naive filtergraph …", flush=True)
            music = folder / "ours" / "music.wav"
            naive = naive_slideshow(photos, music, folder / "naive.mp4", settings)
    report(ours, png_floor, piped_floor, content_floor, naive, settings)


def report(
    ours: dict[str, float],
    png_floor: float,
    piped_floor: float,
    content_floor: float,
    naive: float | None,
    settings: Settings,
) -> None:
    export = ours["export_s"]
    print(f"\n{FRAMES} frames {WIDTH}x{HEIGHT} @ {FPS} fps, x264 {settings.x264_preset}, "
          f"crf {settings.crf}")  # fmt: skip
    rows = [
        ("ours: render (export stage)", export, ""),
        ("ours: all stages", ours["total_s"], f"decoding {ours['upload_s']:.2f} s"),
        ("floor: one still, PNG looped", png_floor, f"ours/floor {export / png_floor:.2f}x"),
        ("floor: one still, piped raw", piped_floor, f"ours/floor {export / piped_floor:.2f}x"),
        (
            "floor: our frames, encode only",
            content_floor,
            f"ours/floor {export / content_floor:.2f}x",
        ),
    ]
    if naive is not None:
        rows.append(("naive: zoompan + xfade graph", naive, f"naive/ours {naive / export:.2f}x"))
    for label, seconds, note in rows:
        print(f"{label:<32}{seconds:7.2f} s   {note}")
    print(f"peak RSS of ours: python {ours['python_peak_rss_mb']:.0f} MB, "
          f"its ffmpeg encoder {ours['ffmpeg_peak_rss_mb']:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
