"""The local renderer end to end, against the encoder floor of its own frames and the naive
ffmpeg command, on the same photos; plus the cold-start overhead, catalog batch throughput and
the peak memory of the whole process tree.

1. ours: ``photoreel run <set> --backend local`` (embedded Redis, worker processes, every
   stage, outputs written) for a 15 s 1080x1920 30 fps promo of eight 12 MP photos with a
   title and built-in music, timed from the command's start to its exit.
2. floor: our own output decoded to a raw yuv420p file beforehand, then encoded again by
   ffmpeg with the same x264 settings: what any renderer of this video pays at least.
3. naive: one ffmpeg command (zoompan per photo on a 2x upscale, xfade between them, drawtext
   title, the same music), the usual way to do this with ffmpeg alone.
4. overhead: a cold ``photoreel run`` of a 1-second 720p clip of one photo, minus the time
   its render stages (upload, generate, complete, export) took by its report.
5. batch: 24 catalog products (3 photos, 6 s, 1080x1920, title, music) through
   ``photoreel catalog``, against the naive command per product, two at a time.

Peak memory is the peak of the summed resident set (and proportional set) of the command and
every process below it (Redis, Celery workers and their pool, ffmpeg), sampled from /proc.
ours, floor and naive run in rounds (one of each per round), medians of ``--rounds``.

Run with ``python bench/render.py``; ``--keep DIR`` keeps the photos and videos.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config.settings import Settings  # noqa: E402
from worker.backends.local.titles import find_font  # noqa: E402

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
PHOTOREEL = str(Path(sys.executable).with_name("photoreel"))
TITLE = "Summer Sale"
PROMPT = f"15-second promo, smooth zoom transitions, fast pace, 9:16 for Reels, title '{TITLE}'"
CLIP_PROMPT = "1-second clip, 9:16"
PRODUCT_TEMPLATE = "6-second promo for {title}, fast pace, 9:16 for Reels, title '{title}'"
WIDTH, HEIGHT, FPS, SECONDS, PHOTOS = 1080, 1920, 30, 15.0, 8
PRODUCTS, PRODUCT_PHOTOS, PRODUCT_SECONDS, NAIVE_AT_ONCE = 24, 3, 6.0, 2
RENDER_STAGES = ("upload", "generate", "complete", "export")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


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


def make_photos(folder: Path, count: int, first_seed: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = folder / f"photo-{index + 1}.jpg"
        size = (4032, 3024) if index % 3 else (3024, 4032)
        if not path.exists():
            make_photo(path, *size, seed=first_seed + index)
        paths.append(path)
    return paths


def load_average() -> float:
    return os.getloadavg()[0]


class TreeMemory:
    """Peak of the summed RSS and PSS of a process and all its descendants, from /proc; and
    the CPU time they used (user + system), as last seen in each one's ``stat``: a little
    short of the truth (up to one interval of each process, and processes that end between
    two samples), enough to show where two cores go."""

    def __init__(self, root_pid: int, interval: float = 0.1) -> None:
        self.root_pid = root_pid
        self.interval = interval
        self.peak_rss_mb = 0.0
        self.peak_pss_mb = 0.0
        self.peak_processes = 0
        self._cpu_ticks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat[stat.rindex(")") + 2 :].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
        tree, todo = [], [self.root_pid]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo += children.get(pid, [])
        return tree

    @property
    def cpu_seconds(self) -> float:
        return sum(self._cpu_ticks.values()) / CLOCK_TICKS

    def _note_cpu(self, pid: int) -> None:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return
        fields = stat[stat.rindex(")") + 2 :].split()
        self._cpu_ticks[pid] = max(self._cpu_ticks.get(pid, 0), int(fields[11]) + int(fields[12]))

    @staticmethod
    def _memory_kb(pid: int) -> tuple[int, int]:
        rss = pss = 0
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
        except (OSError, ValueError):
            pass
        return rss, pss

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            tree = self._tree()
            sizes = [self._memory_kb(pid) for pid in tree]
            for pid in tree:
                self._note_cpu(pid)
            self.peak_rss_mb = max(self.peak_rss_mb, sum(rss for rss, _ in sizes) / 1024)
            self.peak_pss_mb = max(self.peak_pss_mb, sum(pss for _, pss in sizes) / 1024)
            self.peak_processes = max(self.peak_processes, len(tree))

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Run:
    seconds: float
    peak_rss_mb: float = 0.0
    peak_pss_mb: float = 0.0
    cpu_seconds: float = 0.0


def run_measured(command: list[str], env: dict[str, str] | None = None) -> Run:
    """``command`` to its end: wall seconds and the peak memory of its process tree."""
    started = time.perf_counter()
    with (
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        ) as process,
        TreeMemory(process.pid) as memory,
    ):
        output, _ = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        sys.exit(f"failed ({process.returncode}): {' '.join(command)}\n{output.decode()[-3000:]}")
    return Run(seconds, memory.peak_rss_mb, memory.peak_pss_mb, memory.cpu_seconds)


def photoreel_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    return {**env, "TERM": "dumb"}


def run_ours(photo_set: Path, out: Path, *extra: str) -> Run:
    command = [PHOTOREEL, "run", str(photo_set), "--backend", "local", "--out", str(out),
               "--overwrite", *extra]  # fmt: skip
    return run_measured(command, photoreel_env())


def x264_arguments(settings: Settings) -> list[str]:
    return ["-c:v", "libx264", "-preset", settings.x264_preset, "-crf", str(settings.crf),
            "-profile:v", "high", "-g", str(FPS * 2), "-pix_fmt", "yuv420p"]  # fmt: skip


def decode_to_raw(video: Path, raw: Path) -> None:
    subprocess.run([FFMPEG, "-y", "-v", "error", "-i", str(video), "-f", "rawvideo",
                    "-pix_fmt", "yuv420p", str(raw)], check=True)  # fmt: skip


def floor_encode(raw: Path, output: Path, settings: Settings) -> Run:
    """Our own frames, already raw on disk, through the same encoder settings."""
    return run_measured([FFMPEG, "-y", "-v", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p",
                         "-s", f"{WIDTH}x{HEIGHT}", "-framerate", str(FPS), "-i", str(raw),
                         *x264_arguments(settings), str(output)])  # fmt: skip


def naive_command(
    photos: list[Path], seconds: float, music: Path, output: Path, settings: Settings
) -> list[str]:
    """zoompan on each photo (2x upscale), xfade between, drawtext title, music: one ffmpeg."""
    fade = 0.35
    shot = (seconds + fade * (len(photos) - 1)) / len(photos)
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
    fontfile = f"fontfile={font}:" if font else ""
    chains.append(
        f"[{previous}]drawtext={fontfile}text='{TITLE}':fontsize=100:fontcolor=white:"
        f"box=1:boxcolor=black@0.5:boxborderw=30:x=(w-text_w)/2:y=h*0.32:"
        f"enable='between(t,0.25,3.75)',format=yuv420p[out]"
    )
    return [FFMPEG, "-y", "-v", "error", *inputs, "-i", str(music),
            "-filter_complex", ";".join(chains), "-map", "[out]", "-map", f"{len(photos)}:a",
            "-frames:v", str(round(seconds * FPS)), *x264_arguments(settings),
            "-c:a", "aac", "-b:a", "192k", "-shortest", str(output)]  # fmt: skip


def extract_music(video: Path, music: Path) -> None:
    subprocess.run([FFMPEG, "-y", "-v", "error", "-i", str(video), "-vn", "-c:a", "pcm_s16le",
                    str(music)], check=True)  # fmt: skip


def report_of(out: Path, job: str) -> dict[str, object]:
    return json.loads((out / job / "report.json").read_text())


def stage_seconds(report: dict[str, object]) -> dict[str, float]:
    stages = report["stages"]
    assert isinstance(stages, dict)
    return {name: float(seconds) for name, seconds in stages["seconds"].items()}


@dataclass
class ReelFigures:
    ours: list[Run]
    floor: list[Run]
    naive: list[Run]
    stages: list[dict[str, float]]
    loads: list[float]


def bench_reel(folder: Path, rounds: int, settings: Settings, skip_naive: bool) -> ReelFigures:
    photo_set = folder / "reel"
    photos = make_photos(photo_set, PHOTOS)
    (photo_set / "prompt.txt").write_text(PROMPT + "\n")
    out = folder / "reel-out"
    raw = folder / "frames.yuv"
    music = folder / "music.wav"
    figures = ReelFigures([], [], [], [], [])
    try:
        for number in range(rounds):
            figures.loads.append(load_average())
            print(f"  round {number + 1}: ours …", end="", flush=True)
            figures.ours.append(run_ours(photo_set, out))
            figures.stages.append(stage_seconds(report_of(out, "reel")))
            video = out / "reel" / "video.mp4"
            if number == 0:
                decode_to_raw(video, raw)
                extract_music(video, music)
            print(" floor …", end="", flush=True)
            figures.floor.append(floor_encode(raw, folder / "floor.mp4", settings))
            if not skip_naive:
                print(" naive …", end="", flush=True)
                command = naive_command(photos, SECONDS, music, folder / "naive.mp4", settings)
                figures.naive.append(run_measured(command))
            print(f" (load {load_average():.2f})", flush=True)
    finally:
        raw.unlink(missing_ok=True)
    return figures


def bench_overhead(folder: Path, rounds: int) -> list[tuple[float, float]]:
    """(wall seconds, render stage seconds) of cold 1-second 720p runs."""
    photo_set = folder / "clip"
    make_photos(photo_set, 1, first_seed=100)
    (photo_set / "prompt.txt").write_text(CLIP_PROMPT + "\n")
    out = folder / "clip-out"
    results = []
    for _ in range(rounds):
        run = run_ours(photo_set, out, "--resolution", "720p")
        stages = stage_seconds(report_of(out, "clip"))
        results.append((run.seconds, sum(stages.get(name, 0.0) for name in RENDER_STAGES)))
    return results


@dataclass
class BatchFigures:
    ours: Run
    naive_seconds: float
    load_before: float
    load_after: float


def bench_batch(folder: Path, settings: Settings, products: int) -> BatchFigures:
    """``products`` catalog products through ``photoreel catalog`` vs the naive command."""
    catalog = folder / "catalog"
    photos = make_photos(catalog / "photos", PRODUCT_PHOTOS * 4, first_seed=200)
    feed = catalog / "feed.csv"
    rows = []
    for index in range(products):
        chosen = [photos[(index + k * 5) % len(photos)] for k in range(PRODUCT_PHOTOS)]
        rows.append({"id": f"product-{index + 1:02d}", "title": f"Product {index + 1}",
                     "photos": "|".join(str(p.relative_to(catalog)) for p in chosen)})  # fmt: skip
    with feed.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "title", "photos"])
        writer.writeheader()
        writer.writerows(rows)
    out = catalog / "out"
    subprocess.run(["rm", "-rf", str(out)], check=True)
    load_before = load_average()
    ours = run_measured([PHOTOREEL, "catalog", str(feed), "--prompt-template", PRODUCT_TEMPLATE,
                         "--backend", "local", "--out", str(out)], photoreel_env())  # fmt: skip
    music = catalog / "music.wav"
    extract_music(out / rows[0]["id"] / "video.mp4", music)
    commands = [
        naive_command(
            [catalog / p for p in row["photos"].split("|")],
            PRODUCT_SECONDS,
            music,
            catalog / f"naive-{row['id']}.mp4",
            settings,
        )
        for row in rows
    ]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=NAIVE_AT_ONCE) as pool:
        list(pool.map(lambda c: subprocess.run(c, check=True, capture_output=True), commands))
    naive_seconds = time.perf_counter() - started
    return BatchFigures(ours, naive_seconds, load_before, load_average())


def median(values: list[float]) -> float:
    return statistics.median(values)


def per_round(ours: list[Run], reference: list[Run]) -> str:
    """The ratio of each round (run back to back, so under about the same load)."""
    return ", ".join(f"{a.seconds / b.seconds:.2f}x" for a, b in zip(ours, reference, strict=True))


def report(
    reel: ReelFigures,
    overhead: list[tuple[float, float]],
    batch: BatchFigures | None,
    products: int,
    settings: Settings,
) -> None:
    ours = median([r.seconds for r in reel.ours])
    floor = median([r.seconds for r in reel.floor])
    print(f"\nreel: {PHOTOS} x 12 MP, {round(SECONDS * FPS)} frames {WIDTH}x{HEIGHT} @ {FPS} fps,"
          f" title, music; x264 {settings.x264_preset} crf {settings.crf}; medians of"
          f" {len(reel.ours)}; load at round starts"
          f" {', '.join(f'{x:.2f}' for x in reel.loads)}")  # fmt: skip
    print(f"{'ours: photoreel run, end to end':<44}{ours:7.2f} s   "
          f"({', '.join(f'{r.seconds:.2f}' for r in reel.ours)})")  # fmt: skip
    print(f"{'floor: raw re-encode of our frames':<44}{floor:7.2f} s   "
          f"({', '.join(f'{r.seconds:.2f}' for r in reel.floor)})")  # fmt: skip
    print(
        f"{'ours / floor':<44}{ours / floor:7.2f}x  (target <= 1.30x;"
        f" per round {per_round(reel.ours, reel.floor)})"
    )
    ours_cpu = median([r.cpu_seconds for r in reel.ours])
    floor_cpu = median([r.cpu_seconds for r in reel.floor])
    print(f"{'CPU seconds, whole tree: ours / floor':<44}{ours_cpu / floor_cpu:7.2f}x  "
          f"({ours_cpu:.2f} s / {floor_cpu:.2f} s; on {os.cpu_count()} cores the wall time"
          f" is at least CPU / cores)")  # fmt: skip
    if reel.naive:
        naive = median([r.seconds for r in reel.naive])
        print(f"{'naive: zoompan + xfade command':<44}{naive:7.2f} s   "
              f"({', '.join(f'{r.seconds:.2f}' for r in reel.naive)})")  # fmt: skip
        print(
            f"{'ours / naive':<44}{ours / naive:7.2f}x  (target <= 0.60x;"
            f" per round {per_round(reel.ours, reel.naive)})"
        )
    stages = {name: median([s.get(name, 0.0) for s in reel.stages]) for name in reel.stages[0]}
    print("  our stages (median s): " + ", ".join(f"{k} {v:.2f}" for k, v in stages.items()))
    rss = max(r.peak_rss_mb for r in reel.ours)
    pss = max(r.peak_pss_mb for r in reel.ours)
    x264 = max(r.peak_rss_mb for r in reel.floor)
    print(f"{'peak RSS, whole process tree of ours':<44}{rss:7.0f} MB  (target <= 500 MB, or"
          f" the floor's x264 + 150 = {x264 + 150:.0f} MB; PSS {pss:.0f} MB)")  # fmt: skip
    if reel.naive:
        print(f"{'peak RSS of the naive ffmpeg':<44}"
              f"{max(r.peak_rss_mb for r in reel.naive):7.0f} MB")  # fmt: skip
    print(f"{'peak RSS of the floor ffmpeg':<44}"
          f"{x264:7.0f} MB")  # fmt: skip
    walls = [wall for wall, _ in overhead]
    beyond = [wall - stages_s for wall, stages_s in overhead]
    print(f"{'1 s 720p clip, cold run: overhead':<44}{median(beyond):7.2f} s   (target <= 1.5 s;"
          f" wall {median(walls):.2f} s, render stages"
          f" {median([s for _, s in overhead]):.2f} s)")  # fmt: skip
    if batch is not None:
        ratio = batch.naive_seconds / batch.ours.seconds
        print(f"batch: {products} catalog products ({PRODUCT_PHOTOS} photos,"
              f" {PRODUCT_SECONDS:.0f} s, {WIDTH}x{HEIGHT}); load {batch.load_before:.2f} →"
              f" {batch.load_after:.2f}")  # fmt: skip
        print(f"{'  ours: photoreel catalog':<44}{batch.ours.seconds:7.2f} s"
              f"   ({products / batch.ours.seconds * 60:.1f} products/min)")  # fmt: skip
        print(f"{f'  naive, {NAIVE_AT_ONCE} at a time':<44}{batch.naive_seconds:7.2f} s"
              f"   ({products / batch.naive_seconds * 60:.1f} products/min)")  # fmt: skip
        print(f"{'  throughput ours / naive':<44}{ratio:7.2f}x  (target >= 2.5x)")
        floor_cpu_per_frame = median([r.cpu_seconds for r in reel.floor]) / round(SECONDS * FPS)
        frames = products * round(PRODUCT_SECONDS * FPS)
        bound = floor_cpu_per_frame * frames / (os.cpu_count() or 1)
        print(f"{'  the encoder alone needs at least':<44}{bound:7.2f} s   (the floor's"
              f" {floor_cpu_per_frame * 1000:.1f} ms of CPU a frame x {frames} frames /"
              f" {os.cpu_count()} cores: ours / naive can be {batch.naive_seconds / bound:.2f}x"
              f" at most)")  # fmt: skip
        print(f"{'  peak RSS, whole process tree of ours':<44}{batch.ours.peak_rss_mb:7.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--keep", type=Path, help="folder to keep photos and videos in")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of ours/floor/naive")
    parser.add_argument("--products", type=int, default=PRODUCTS, help="catalog batch size")
    parser.add_argument("--skip-naive", action="store_true", help="no naive reel command")
    parser.add_argument("--skip-batch", action="store_true", help="no catalog batch")
    args = parser.parse_args()
    settings = Settings()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"reel: {PHOTOS} photos, {args.rounds} rounds of ours, floor, naive", flush=True)
        reel = bench_reel(folder, args.rounds, settings, args.skip_naive)
        print("1-second 720p clip, cold …", flush=True)
        overhead = bench_overhead(folder, args.rounds)
        batch = None
        if not args.skip_batch:
            print(f"catalog batch of {args.products} products …", flush=True)
            batch = bench_batch(folder, settings, args.products)
    report(reel, overhead, batch, args.products, settings)


if __name__ == "__main__":
    main()
