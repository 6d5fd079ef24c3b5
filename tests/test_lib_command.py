"""python -m lib COMMAND: the operations' one entry point."""

from __future__ import annotations

import json
import subprocess
import sys

from lib.config import PROJECT_ROOT
from lib.store.db import Database
from tests import samples


def run_lib(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lib", *args], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          check=False, timeout=120)


def test_help_lists_every_command():
    done = run_lib("--help")
    assert done.returncode == 0
    assert "demo" in done.stdout and "check-file" in done.stdout


def test_an_unknown_command_is_refused_with_the_list():
    done = run_lib("explode")
    assert done.returncode == 2
    assert "unknown command: explode" in done.stderr and "check-file" in done.stderr


def test_demo_builds_a_database(tmp_path):
    path = tmp_path / "cli.duckdb"
    done = run_lib("demo", "--db", str(path), "--submissions", "120", "--today", "2026-11-23")
    assert done.returncode == 0, done.stderr
    assert Database.open(path).query_one("SELECT count(*) FROM submissions")[0] == 120


def test_check_file_prints_one_verdict_per_file(tmp_path):
    good = tmp_path / "S.Smith-ABC123(1).docx"
    good.write_bytes(samples.word_document(words=321))
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(samples.zip_bomb())
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"just text, not a PDF")
    missing = tmp_path / "missing.docx"
    done = run_lib("check-file", "--as", "evidence", str(good), str(bomb), str(fake), str(missing))
    verdicts = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 1
    assert [v["file"] for v in verdicts] == [str(good), str(bomb), str(fake), str(missing)]
    assert verdicts[0] == {"file": str(good), "accepted": True, "reason": None, "words": 321}
    assert verdicts[1]["accepted"] is False and "zip bomb" in verdicts[1]["reason"]
    assert verdicts[2]["accepted"] is False and "not a PDF" in verdicts[2]["reason"]
    assert verdicts[3]["accepted"] is False and "cannot be read" in verdicts[3]["reason"]


def test_check_file_as_a_result_sheet_refuses_a_pdf(tmp_path):
    sheet = tmp_path / "sheet.pdf"
    sheet.write_bytes(samples.pdf_document())
    done = run_lib("check-file", "--as", "result-sheet", str(sheet))
    [verdict] = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 1 and verdict["accepted"] is False and "Word document" in verdict["reason"]
    ok = tmp_path / "sheet.docx"
    ok.write_bytes(samples.result_sheet())
    assert json.loads(run_lib("check-file", "--as", "result-sheet", str(ok)).stdout)["accepted"] is True
