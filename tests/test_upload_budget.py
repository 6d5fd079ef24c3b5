"""The upload checks keep to their budget whatever the file: crafted Word and PDF files, inflation bombs with
honest and with lying sizes, active content in PDFs, and a property test over random crafted structures, with
the check's peak memory measured."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.checks import accept, limits
from lib.checks.sandbox import run_inspection
from lib.checks.word_count import WordCounter
from tests import crafted, samples

BUDGET_MB = limits.CHECK_MEMORY_BYTES / 2**20


def inspect_bytes(data: bytes, extension: str):
    with tempfile.NamedTemporaryFile(suffix=extension) as handle:
        handle.write(data)
        handle.flush()
        return run_inspection(Path(handle.name), extension)


def growth_mb(verdict) -> float:
    return (verdict.peak_rss_bytes - verdict.start_rss_bytes) / 2**20


@pytest.mark.parametrize("lying", [False, True])
@pytest.mark.parametrize("bomb", ["text part of 280 MB", "image part of 1 GB"])
def test_inflation_bombs_are_refused_within_budget(bomb, lying):
    data = crafted.inflating_docx(280, lying) if bomb.startswith("text") else crafted.zero_bomb_docx(1024, lying=lying)
    verdict = inspect_bytes(data, ".docx")
    assert not verdict.accepted
    assert "zip bomb" in verdict.reason or "damaged" in verdict.reason
    assert growth_mb(verdict) < 64, "a bomb is refused on what it really inflates, streamed"


@pytest.mark.parametrize("name", sorted(crafted.ACTIVE_PDFS))
def test_pdfs_with_active_content_are_refused_saying_why(name):
    with pytest.raises(accept.FileRejected) as refusal:
        accept.check_evidence(f"S.Smith-ABC123({name}).pdf", crafted.ACTIVE_PDFS[name])
    message = str(refusal.value)
    assert "which could run when it is opened" in message and "Save as PDF" in message


@pytest.mark.parametrize("name", sorted(crafted.HARMLESS_PDFS))
def test_pdfs_that_only_move_within_themselves_are_accepted(name):
    assert accept.check_evidence("S.Smith-ABC123(1).pdf", crafted.HARMLESS_PDFS[name]).word_count == 0


def test_word_counting_stops_at_its_cap_and_says_over():
    checked = accept.check_evidence("S.Smith-ABC123(1).docx", samples.word_document(words=1200))
    assert (checked.word_count, checked.words_capped, checked.words_label()) == (1200, False, "1,200 words")
    many = crafted.docx_with({"word/document.xml": crafted.document_xml(limits.WORD_CAP + 50_000)}, level=1)
    verdict = inspect_bytes(many, ".docx")
    assert verdict.accepted and verdict.words == limits.WORD_CAP and verdict.words_capped


def test_a_file_is_checked_once_by_its_content(monkeypatch):
    accept.VERDICTS.clear()
    calls = []
    real = accept.run_inspection
    monkeypatch.setattr(accept, "run_inspection", lambda *a, **k: calls.append(a) or real(*a, **k))
    data = samples.word_document(words=77)
    for name in ("a.docx", "renamed.docx", "a.docx"):
        assert accept.check_evidence(name, data).word_count == 77
    assert len(calls) == 1


def test_a_check_that_runs_out_of_time_or_memory_is_refused_saying_so(tmp_path):
    path = tmp_path / "big.docx"
    path.write_bytes(crafted.docx_with({"word/document.xml": crafted.document_xml(3_000_000)}, level=1))
    starved = run_inspection(path, ".docx", memory=1024 * 1024)
    assert not starved.accepted and "more memory" in starved.reason


@pytest.mark.parametrize("pieces, words", [
    (["one two", " three"], 3), (["hyph", "enated word"], 2), (["it’", "s fine"], 2), (["-", "-", "x"], 1),
    (["word", "", "s"], 1), (["a", " ", "b"], 2), (["--", " ab"], 1), (["ab-", "-cd"], 1),
])
def test_words_split_across_pieces_count_once(pieces, words):
    counter = WordCounter(cap=100)
    for piece in pieces:
        counter.feed(piece)
    assert counter.words == words


@given(text=st.text(alphabet="ab -'’\n.", max_size=60), cuts=st.lists(st.integers(0, 60), max_size=6))
def test_counting_in_pieces_equals_counting_at_once(text, cuts):
    whole = WordCounter(cap=10_000)
    whole.feed(text)
    pieces = WordCounter(cap=10_000)
    edges = sorted({0, len(text), *[c for c in cuts if c <= len(text)]})
    for start, end in zip(edges, edges[1:]):
        pieces.feed(text[start:end])
    assert pieces.words == whole.words


PART_NAMES = st.sampled_from(["word/document.xml", "word/media/a.bin", "word/styles.xml", "customXml/x.xml",
                              "../escape.xml", "word/vbaProject.bin"])


@st.composite
def crafted_docx(draw):
    parts = {}
    for _ in range(draw(st.integers(0, 4))):
        name = draw(PART_NAMES)
        kind = draw(st.sampled_from(["zeros", "xml", "random"]))
        size = draw(st.integers(0, 64)) * 1024 * 1024 if kind == "zeros" else draw(st.integers(0, 200_000))
        parts[name] = (b"\x00" * size if kind == "zeros" else crafted.document_xml(size // 5) if kind == "xml"
                       else draw(st.binary(max_size=2048)))
    data = crafted.docx_with(parts, level=draw(st.integers(1, 9)))
    if draw(st.booleans()):
        data = crafted.lie_about_sizes(data, draw(st.integers(0, 2**32 - 1)))
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.binary(max_size=64)) + data[cut + draw(st.integers(0, 64)):]
    return data


@st.composite
def crafted_pdf(draw):
    keys = [b"/JS (x)", b"/S /JavaScript", b"/S /Launch", b"/OpenAction << /S /JavaScript /JS (x) >>",
            b"/AA << /O << /S /Launch >> >>", b"/EmbeddedFiles << >>", b"/XFA []", b"/S /GoTo /D [3 0 R /Fit]",
            b"/Foo /Bar", b"/S /J#61vaScript"]
    chosen = draw(st.lists(st.sampled_from(keys), max_size=3))
    place = draw(st.sampled_from(["catalog", "page", "object"]))
    extra = b" ".join(chosen)
    data = crafted.pdf([b"<< " + extra + b" >>"] if place == "object" else [],
                       catalog_extra=extra if place == "catalog" else b"",
                       page_extra=extra if place == "page" else b"")
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.binary(max_size=32)) + data[cut:]
    # Active when an active key is still whole in the file (a corruption may have broken the very key).
    active = any(key in data for key in chosen if key not in (b"/S /GoTo /D [3 0 R /Fit]", b"/Foo /Bar"))
    return data, active


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=crafted_docx())
def test_any_crafted_word_file_gets_an_answer_within_budget(data):
    verdict = inspect_bytes(data, ".docx")
    assert verdict.accepted or verdict.reason
    assert growth_mb(verdict) < BUDGET_MB


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=crafted_pdf())
def test_any_crafted_pdf_gets_an_answer_and_active_content_never_passes(case):
    data, active = case
    verdict = inspect_bytes(data, ".pdf")
    assert verdict.accepted or verdict.reason
    assert growth_mb(verdict) < BUDGET_MB
    if verdict.accepted:
        assert not active, "a PDF with active content was accepted"


def test_the_sample_bomb_is_still_refused():
    with pytest.raises(accept.FileRejected, match="zip bomb"):
        accept.check_evidence("bomb.docx", samples.zip_bomb())
    assert zipfile.ZipFile(io.BytesIO(samples.zip_bomb())).testzip() is None
