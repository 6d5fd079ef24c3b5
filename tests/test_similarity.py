"""Copied evidence found by its shared passages: edited copies match, texts written apart on the same unit do
not, in Word and PDF, a re-submission shares its own earlier text, and the threshold's edge is exact."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

from lib.checks.compare import comparable_words
from lib.demo.essays import edited, original
from lib.errors import Refused
from lib.rules.similarity import DEFAULT_THRESHOLD, MIN_PASSAGE_WORDS, shared_text, words_of
from tests import samples

ROOT = Path(__file__).resolve().parent.parent


def share(a: list[str], b: list[str]) -> float:
    return shared_text(words_of(a), words_of(b)).share


@pytest.mark.parametrize("changed", [0.10, 0.15, 0.20])
def test_copies_with_paragraphs_reordered_and_words_changed_added_or_removed_match(changed):
    for seed in range(40):
        source = original(seed)
        assert share(source, edited(source, seed, changed)) >= DEFAULT_THRESHOLD, (seed, changed)


def test_texts_written_apart_on_the_same_unit_and_topic_do_not_match():
    for seed in range(40):
        assert share(original(seed), original(10_000 + seed)) < DEFAULT_THRESHOLD / 4


def test_the_share_counts_the_shorter_text_so_a_short_answer_copied_into_a_long_one_counts_whole():
    short = original(1, paragraphs=2)
    long = original(2, paragraphs=10)[:5] + short + original(2, paragraphs=10)[5:]
    assert share(short, long) == 1.0
    result = shared_text(words_of(short), words_of(long))
    assert len(result.passages) >= 1 and all(len(p.split()) >= MIN_PASSAGE_WORDS for p in result.passages)
    assert result.passages[0].split()[:4] == short[0].replace(".", "").split()[:4]


def test_common_phrases_are_not_passages():
    a = ["In my view the team leader should listen. Overall it went well in the end."]
    b = ["Frankly the team leader should listen more. Looking back it went well in the end."]
    assert shared_text(words_of(a), words_of(b)).share == 0.0  # runs of shared words shorter than a passage


def test_the_threshold_is_reported_at_its_edge_and_not_below(tmp_path):
    source = original(5)
    copy = edited(source, 5, 0.2)
    exact = share(source, copy)
    paths = []
    for name, paragraphs in (("a.docx", source), ("b.docx", copy)):
        path = tmp_path / name
        path.write_bytes(docx_bytes(paragraphs))
        paths.append(str(path))
    at_edge = run_command(*paths, "--threshold", str(exact))
    above = run_command(*paths, "--threshold", str(round(exact + 0.0001, 4)))
    assert [line["share"] for line in at_edge] == [exact] and above == []


def docx_bytes(paragraphs: list[str], heading: str | None = None, table: list[list[str]] | None = None) -> bytes:
    import io

    document = Document()
    if heading:
        document.add_heading(heading, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def run_command(*args: str) -> list[dict]:
    done = subprocess.run([sys.executable, "-m", "lib", "similar-files", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_word_and_pdf_copies_with_new_headings_and_tables_are_found_on_disk(tmp_path):
    source = original(7)
    (tmp_path / "original.docx").write_bytes(docx_bytes(source, heading="Unit 8607-501"))
    copied = edited(source, 7, 0.15, heading=None)
    (tmp_path / "copy.pdf").write_bytes(samples.text_pdf(["Reflective account, Level 5", *copied]))
    (tmp_path / "table copy.docx").write_bytes(docx_bytes(
        edited(source, 8, 0.1)[:5], heading="A different heading",
        table=[["Criterion", "Where"], ["2.1", "Section 3"]]))
    (tmp_path / "apart.docx").write_bytes(docx_bytes(original(70_000)))
    (tmp_path / "notes.txt").write_text("not evidence")
    pairs = run_command(*(str(tmp_path / name) for name in
                          ("original.docx", "copy.pdf", "table copy.docx", "apart.docx", "notes.txt")))
    found = {frozenset((Path(p["a"]).name, Path(p["b"]).name)): p for p in pairs}
    assert set(found) == {frozenset(("original.docx", "copy.pdf")), frozenset(("original.docx", "table copy.docx")),
                          frozenset(("copy.pdf", "table copy.docx"))}
    assert all(p["passages"] and 0 < p["share"] <= 1 for p in pairs)


def test_a_resubmission_shares_its_own_earlier_text():
    first_attempt = original(11)
    resubmitted = first_attempt[:6] + original(12, paragraphs=2)  # referred criteria rewritten, the rest kept
    assert share(first_attempt, resubmitted) >= 0.7


def test_files_that_cannot_be_compared_say_why(tmp_path):
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(samples.pdf_document())  # a page with no text
    with pytest.raises(Refused, match="scan.pdf has no text to compare"):
        comparable_words(scan)
    notes = tmp_path / "notes.doc"
    notes.write_bytes(samples.legacy_doc())
    with pytest.raises(Refused, match="notes.doc is not Word"):
        comparable_words(notes)
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(Refused, match="broken.docx is damaged"):
        comparable_words(broken)
