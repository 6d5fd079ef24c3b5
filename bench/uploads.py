"""Upload-check figures: a real 150 MB PDF and a large real Word document checked and counted, and the worst of a
set of crafted files (inflation bombs with honest and lying sizes, PDFs with active content)."""

from __future__ import annotations

import io
import random
import tempfile
import time
import zipfile
from pathlib import Path

import docx

from bench.timing import scaled
from lib.checks import accept
from lib.checks.sandbox import run_inspection
from lib.demo.recording import recording
from tests import crafted  # the same crafted files the tests use

MB = 1024 * 1024
WORDS = ("leadership", "team", "reflection", "coaching", "feedback", "objective", "stakeholder", "change",
         "performance", "review", "plan", "evidence", "learning", "manager", "the", "and", "of", "to")


def _text(chance: random.Random, words: int) -> str:
    return " ".join(chance.choice(WORDS) for _ in range(words))


def big_pdf(megabytes: int) -> bytes:
    """A real PDF: 400 pages of text in Helvetica and, to reach the size, photographs (incompressible images)."""
    chance = random.Random(7)
    pages = 400
    image_bytes = (megabytes * MB) // pages
    side = int((image_bytes / 3) ** 0.5)
    objects = [b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]  # object 4
    kids = []
    for _ in range(pages):
        lines = [f"({_text(chance, 12)}) Tj T*" for _ in range(40)]
        content = ("BT /F1 11 Tf 14 TL 50 800 Td " + " ".join(lines) + " ET q 200 0 0 150 50 50 cm /Im0 Do Q").encode()
        image = chance.randbytes(side * side * 3)
        first = 4 + len(objects)
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        objects.append(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
                       b"/BitsPerComponent 8 /Length %d >>\nstream\n" % (side, side, len(image)) + image
                       + b"\nendstream")
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                       b"/Resources << /Font << /F1 4 0 R >> /XObject << /Im0 %d 0 R >> >> >>"
                       % (first, first + 1))
        kids.append(first + 2)
    pages_object = b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] /Count %d >>" % pages
    return _pdf_with_pages(pages_object, objects)


def _pdf_with_pages(pages_object: bytes, objects: list[bytes]) -> bytes:
    return crafted.write_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", pages_object, b"<< >>", *objects])


def big_docx(words: int, image_megabytes: int) -> bytes:
    """A real Word document of `words` words in paragraphs, with photographs (incompressible) in its media."""
    chance = random.Random(11)
    document = docx.Document()
    for _ in range(words // 200):
        document.add_paragraph(_text(chance, 200))
    buffer = io.BytesIO()
    document.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            archive.writestr(item.filename, source.read(item.filename))
        for number in range(image_megabytes // 10):
            archive.writestr(f"word/media/photo{number}.jpeg", chance.randbytes(10 * MB), zipfile.ZIP_STORED)
    return out.getvalue()


def _timed_check(name: str, data: bytes) -> tuple[float, float, accept.CheckedFile | None]:
    """Seconds for the check as the upload screen runs it, and the child's peak memory in MB."""
    accept.VERDICTS.clear()
    started = time.perf_counter()
    try:
        checked = accept.check_evidence(name, data)
    except accept.FileRejected as refusal:
        raise RuntimeError(f"the benchmark's real file was refused: {refusal}") from refusal
    seconds = time.perf_counter() - started
    verdict = next(iter(accept.VERDICTS._kept.values()))
    return seconds, verdict.peak_rss_bytes / MB, checked


def big_recording(megabytes: int) -> bytes:
    """A real MP4 (MPEG-4 video of noise, which does not compress, and AAC sound) of about this size."""
    seconds = 46 * megabytes / 138  # 46 s at 25 Mbit/s make about 138 MB
    return recording(seconds, "mp4", size=(640, 480), noisy=True, video_bit_rate=25_000_000)


def media_figures(emit) -> None:
    """A 150 MB recording checked as an upload screen checks it under an agreement allowing it."""
    data = big_recording(scaled(149, 3))
    terms = accept.RecordingTerms(("MP4",), accept.limits.MAX_UPLOAD_BYTES, 180 * 60)
    accept.VERDICTS.clear()
    started = time.perf_counter()
    checked = accept.check_evidence("Presentation.mp4", data, terms)
    seconds = time.perf_counter() - started
    verdict = next(iter(accept.VERDICTS._kept.values()))
    emit("media_check_150mb_s", seconds, "s", megabytes=round(len(data) / MB, 1), recording_s=checked.seconds)
    emit("media_check_peak_mb", verdict.peak_rss_bytes / MB, "MB", child_at_start_mb=round(verdict.start_rss_bytes / MB, 1))


def figures(emit) -> None:
    media_figures(emit)
    spreadsheet_figures(emit)
    signin_figures(emit)
    for label, name, data in (("pdf", "S.Smith-ABC123(1).pdf", big_pdf(scaled(145, 3))),
                              ("docx", "S.Smith-ABC123(1).docx", big_docx(scaled(150_000, 2_000), scaled(140, 3)))):
        seconds, peak, checked = _timed_check(name, data)
        emit("upload_check_150mb_s", seconds, "s", file=label, megabytes=round(len(data) / MB, 1),
             accepted=checked is not None, words=checked.word_count if checked else None)
        emit("upload_check_peak_mb", peak, "MB", file=label)
    worst, worst_name = 0.0, ""
    cases = {
        "text bomb 280 MB": crafted.inflating_docx(scaled(280, 20)),
        "text bomb 280 MB, lying sizes": crafted.inflating_docx(scaled(280, 20), True),
        "zero bomb 1 GB": crafted.zero_bomb_docx(scaled(1024, 50)),
        "zero bomb 1 GB, lying sizes": crafted.zero_bomb_docx(scaled(1024, 50), lying=True),
        "flate bomb PDF 200 MB": crafted.flate_bomb_pdf(scaled(200, 20)),
        "flate bomb PDF, lying length": crafted.flate_bomb_pdf(scaled(200, 20), True),
        **{f"PDF {name}": data for name, data in crafted.ACTIVE_PDFS.items()},
    }
    slowest = 0.0
    for case, data in cases.items():
        extension = ".pdf" if case.startswith(("PDF", "flate")) else ".docx"
        with tempfile.NamedTemporaryFile(suffix=extension) as handle:
            handle.write(data)
            handle.flush()
            started = time.perf_counter()
            verdict = run_inspection(Path(handle.name), extension)
            slowest = max(slowest, time.perf_counter() - started)
        if verdict.peak_rss_bytes / MB > worst:
            worst, worst_name = verdict.peak_rss_bytes / MB, case
    emit("crafted_upload_peak_mb", worst, "MB", worst=worst_name, files=len(cases), slowest_s=round(slowest, 2))


def spreadsheet_figures(emit) -> None:
    """The worst crafted spreadsheet at each table upload's size limit: its time and the child's peak memory."""
    from lib.admin.registrations import MAX_FILE_BYTES, MAX_ROWS
    from lib.checks.sandbox import run_table_read
    from lib.hei.release_check import MAX_LIST_BYTES, MAX_LIST_ROWS

    slowest, worst_mb, names = 0.0, 0.0, ("", "")
    for upload, limit, rows in (("registrations", MAX_FILE_BYTES, MAX_ROWS), ("exam board list", MAX_LIST_BYTES,
                                                                             MAX_LIST_ROWS)):
        for case, data in crafted.spreadsheet_bombs(pad_to=scaled(limit, 300_000) - 4096).items():
            with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
                handle.write(data)
                handle.flush()
                started = time.perf_counter()
                found = run_table_read(Path(handle.name), ".xlsx", rows)
                seconds = time.perf_counter() - started
            if found.rows:
                raise RuntimeError(f"{case} was read as a table by the {upload} upload")
            peak = (found.peak_rss_bytes - found.start_rss_bytes) / MB
            if seconds > slowest:
                slowest, names = seconds, (f"{case} as {upload}", names[1])
            if peak > worst_mb:
                worst_mb, names = peak, (names[0], f"{case} as {upload}")
    emit("spreadsheet_check_s", slowest, "s", worst=names[0])
    emit("spreadsheet_check_peak_mb", worst_mb, "MB", worst=names[1])


def signin_figures(emit, loops: int = 4, seconds: float = 6.0) -> None:
    """The median and worst of a normal write (every 20 ms) while `loops` anonymous sign-in loops run."""
    import secrets
    import statistics
    import threading

    from lib.accounts import auth
    from lib.admin.install import initialise
    from lib.store.db import Database

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "signin.duckdb"
        made = initialise(path, "sam.carter", "Sam Carter", "sam@example.org")
        db = Database.open(path)
        stop = threading.Event()
        attempts = []

        def guesser() -> None:
            while not stop.is_set():
                auth.sign_in(db, secrets.choice(["sam.carter", "no.one", "admin"]), secrets.token_hex(8))
                attempts.append(1)

        def write(n: int) -> float:
            started = time.perf_counter()
            db.transact(None, lambda writer: writer.execute("INSERT INTO settings VALUES (?, '1', 'bench')",
                                                            [f"bench_{n}"]) and writer.audit("bench", "settings"),
                        actor_name="bench")
            return (time.perf_counter() - started) * 1000

        quiet = [write(n) for n in range(50)]
        threads = [threading.Thread(target=guesser, daemon=True) for _ in range(loops)]
        for thread in threads:
            thread.start()
        busy, deadline, n = [], time.monotonic() + seconds, 50
        while time.monotonic() < deadline:
            busy.append(write(n))
            n += 1
            time.sleep(0.02)
        stop.set()
        for thread in threads:
            thread.join()
        db.close()
        emit("signin_write_stall_ms", statistics.median(busy), "ms", loops=loops, worst_ms=round(max(busy), 1),
             quiet_median_ms=round(statistics.median(quiet), 1), sign_ins=len(attempts), user=made.username)
