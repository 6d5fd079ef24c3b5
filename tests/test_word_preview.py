"""Evidence read in the page: a Word document becomes sanitised HTML in the limited child, within its budget."""

from __future__ import annotations

import io

from docx import Document

from lib.checks import word_preview
from lib.checks.preview import preview_word
from lib.checks.sandbox import run_word_preview
from lib.checks.word_preview import MAX_PREVIEW_BYTES, sanitise

PNG = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5E"
       "rkJggg==")


def _docx(*paragraphs: str) -> bytes:
    document = Document()
    document.add_heading("Developing and Leading Teams", level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word_document_reads_as_its_headings_and_paragraphs_with_markup_in_it_kept_as_text():
    preview = preview_word("evidence.docx", _docx("Tuckman's model fits the team.",
                                                  "<script>alert(1)</script> **not bold** =SUM(A1:A9)"))
    assert preview.reason is None and not preview.cut
    assert "<h1>Developing and Leading Teams</h1>" in preview.html
    assert "<p>Tuckman's model fits the team.</p>" in preview.html or "Tuckman&#39;s" in preview.html
    assert "<script" not in preview.html and "&lt;script&gt;alert(1)&lt;/script&gt;" in preview.html
    assert "**not bold** =SUM(A1:A9)" in preview.html


def test_sanitising_drops_scripts_handlers_and_links_that_are_not_web_or_mail_addresses():
    html = sanitise(f'<p onclick="steal()">Hi</p><script>steal()</script><a href="javascript:steal()">x</a>'
                    f'<a href="https://www.i-l-m.com/">ILM</a><img src="https://tracker.example/p.gif" alt="t">'
                    f'<img src="{PNG}" alt="chart"><a href="{PNG}">picture link</a><iframe src="https://x"></iframe>')
    assert "onclick" not in html and "<script" not in html and "steal()" not in html.replace(">steal()<", "")
    assert "javascript:" not in html and "<iframe" not in html
    assert 'href="https://www.i-l-m.com/"' in html
    assert "tracker.example" not in html and f'src="{PNG}"' in html
    assert f'href="{PNG}"' not in html


def test_a_long_document_is_cut_to_what_a_preview_carries_and_says_so():
    paragraph = "The team moved from storming to norming once roles were agreed. " * 40
    preview = preview_word("long.docx", _docx(*[paragraph] * 2_500))
    assert preview.cut and preview.reason is None
    assert len(preview.html.encode("utf-8")) <= MAX_PREVIEW_BYTES
    assert preview.html.startswith("<h1>")


def test_a_file_that_is_not_a_word_document_is_offered_as_a_download_instead():
    preview = preview_word("notes.docx", b"%PDF-1.7 not a zip at all")
    assert preview.html == "" and preview.reason == "notes.docx cannot be shown in the page: download it to read it."


def test_the_conversion_stays_within_its_memory_budget(tmp_path):
    path = tmp_path / "evidence.docx"
    path.write_bytes(_docx("A paragraph of evidence. " * 50_000))
    starved = run_word_preview(path, memory=8 * 1024 * 1024)
    assert starved.html == "" and "more memory to show than the service allows" in starved.reason
    whole = run_word_preview(path)
    assert whole.reason is None and whole.peak_rss_bytes - whole.start_rss_bytes < 256 * 1024 * 1024


def test_pictures_over_their_budget_are_left_out_and_counted(monkeypatch, tmp_path):
    monkeypatch.setattr(word_preview, "MAX_PICTURE_BYTES", 10)
    document = Document()
    document.add_paragraph("A chart of the team's results:")
    import base64

    picture = tmp_path / "chart.png"
    picture.write_bytes(base64.b64decode(PNG.split(",", 1)[1]))
    document.add_picture(str(picture))
    out = tmp_path / "with picture.docx"
    document.save(str(out))
    preview = word_preview.word_as_html(out)
    assert preview.pictures_left_out == 1 and "data:image" not in preview.html
