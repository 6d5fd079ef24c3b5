import pytest

from lib.checks import accept, limits
from lib.checks.accept import FileRejected
from lib.rules.naming import check_file_name
from lib.store.files import FileStore
from tests import samples


def test_word_and_pdf_evidence_is_accepted_with_a_word_count():
    checked = accept.check_evidence("S.Smith-ABC123(1).docx", samples.word_document(words=1200))
    assert checked.word_count == 1200 and checked.extension == ".docx"
    assert accept.check_evidence("S.Smith-ABC123(1).pdf", samples.pdf_document()).word_count == 0
    assert accept.check_evidence("old.doc", samples.legacy_doc()).word_count is None


@pytest.mark.parametrize("name, data, message", [
    ("evidence.mp4", b"\x00\x00\x00\x18ftypmp42", "agreed change of assessment method"),
    ("renamed.docx", samples.plain_zip(), "not a Word document"),
    ("macros.docm", samples.word_document(), "macro-enabled"),
    ("disguised.docx", samples.macro_document(), "contains macros"),
    ("bomb.docx", samples.zip_bomb(), "zip bomb"),
    ("escape.docx", samples.path_traversal_document(), "unsafe path"),
    ("broken.pdf", samples.broken_pdf(), "cannot be opened"),
    ("fake.pdf", samples.word_document(), "not a PDF"),
    ("fake.doc", samples.pdf_document(), "not a Word 97-2003"),
    ("empty.pdf", b"", "is empty"),
])
def test_bad_evidence_is_refused_with_a_reason(name, data, message):
    with pytest.raises(FileRejected, match=message):
        accept.check_evidence(name, data)


def test_oversize_uploads_are_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_UPLOAD_BYTES", 1000)
    with pytest.raises(FileRejected, match="limit per upload is 150 MB"):
        accept.check_evidence("big.docx", samples.word_document(words=2000))


@pytest.mark.parametrize("name", ["sheet.pdf", "sheet.doc", "sheet.png", "sheet.jpg"])
def test_result_sheets_must_be_word_docx(name):
    with pytest.raises(FileRejected, match="must be a Word document"):
        accept.check_result_sheet(name, samples.pdf_document())


def test_a_real_docx_result_sheet_is_accepted():
    assert accept.check_result_sheet("Result Sheet.docx", samples.result_sheet()).original_name == "Result Sheet.docx"


@pytest.mark.parametrize("sent, kept", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\centre\\Desktop\\S.Smith-ABC123(1).pdf", "S.Smith-ABC123(1).pdf"),
    ("/var/www/evidence.docx", "evidence.docx"),
    ("name\x00with\x07control.pdf", "namewithcontrol.pdf"),
])
def test_names_with_paths_keep_only_the_file_name(sent, kept):
    assert accept.clean_name(sent) == kept


@pytest.mark.parametrize("bad", ["", "..", "/", "x" * 200 + ".pdf"])
def test_unusable_names_are_refused(bad):
    with pytest.raises(FileRejected):
        accept.clean_name(bad)


def test_the_store_writes_under_generated_names_and_leaves_no_temporary_file(tmp_path):
    store = FileStore(tmp_path)
    stored = store.put(b"evidence bytes")
    assert store.read(stored) == b"evidence bytes"
    assert not list(tmp_path.rglob(".*.part"))
    store.discard([stored])
    assert not store.path(stored).exists()
    with pytest.raises(ValueError):
        store.path("../../etc/passwd")


@pytest.mark.parametrize("file_name, resubmission, ok, message", [
    ("S.Smith-ABC123(1).docx", False, True, "follows"),
    ("S.Smith-abc123(1).pdf", False, True, "follows"),
    ("S.Smith-ABC123(2).docx", True, True, "follows"),
    ("R Jones-ABC123-012345-8000-250(1).docx", False, True, "follows"),
    ("S.Smith-XYZ999(1).docx", False, False, "this learner's ENR is ABC123"),
    ("S.Smith-ABC123(1).docx", True, False, "re-submission"),
    ("S.Smith-ABC123(2).docx", False, False, "original submission"),
    ("evidence final v2.docx", False, False, "does not follow the naming protocol"),
    ("R Jones-ABC123-999999-8000-250(1).docx", False, False, "not your centre"),
    ("R Jones-ABC123-012345-8000-999(1).docx", False, False, "names unit 8000-999"),
])
def test_the_naming_protocol(file_name, resubmission, ok, message):
    result = check_file_name(file_name, "ABC123", resubmission, centre_number="012345", unit_codes=("8000-250",))
    assert result.ok is ok and message in result.message
