"""Random sequences of actions by random roles; after each step the service's invariants must hold."""

from __future__ import annotations

import contextlib
import random
import shutil
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from lib.centre import submitting, uploads
from lib.centre.tracker import tracker_page
from lib.centre.uploads import EMBEDDED, UnitUpload, Upload
from lib.errors import Refused
from lib.rules import workdays, workflow
from lib.rules.roles import ROLES
from lib.rules.status import centre_status
from lib.service import allocation, marking, quality_check, release, sampling
from lib.store.db import Database
from lib.store.files import FileStore
from lib.store.scope import NotAllowed, NotFound
from tests import samples
from tests.conftest import load_user

USERS = {"centre": "centre.demo", "assessment_team": "team.demo", "assessor": "assessor.demo",
         "lead_assessor": "lead.demo", "quality": "quality.demo"}
EVIDENCE = samples.word_document()
SHEET = samples.result_sheet()
TEMPLATE: Path | None = None


def template() -> Path:
    """A small demo database built once for every run of the machine."""
    global TEMPLATE
    if TEMPLATE is None:
        from lib import demo

        TEMPLATE = Path(tempfile.mkdtemp()) / "machine.duckdb"
        demo.build(TEMPLATE, 300, seed_value=3, today=datetime(2026, 11, 23).date())
    return TEMPLATE


class ServiceMachine(RuleBasedStateMachine):
    @initialize()
    def open(self):
        folder = Path(tempfile.mkdtemp())
        shutil.copy(template(), folder / "ilma.duckdb")
        self.folder = folder
        self.db = Database.open(folder / "ilma.duckdb")
        self.store = FileStore(folder / "files")
        self.users = {role: load_user(self.db, name) for role, name in USERS.items()}
        self.now = datetime(2026, 11, 23, 9, 0)
        self.items: list[int] = []
        self.audit_rows = self._audit_count()
        self.chance = random.Random(0)

    def teardown(self):
        if hasattr(self, "db"):
            self.db.close()
            shutil.rmtree(self.folder, ignore_errors=True)

    def _audit_count(self) -> int:
        return self.db.query_one("SELECT count(*) FROM audit_log")[0]

    def _stages(self) -> dict[int, str]:
        return dict(self.db.query_all("SELECT id, stage FROM submissions WHERE list_contains(?, id)", [self.items]))

    def _act(self, role: str, action: str, work):
        """Run one attempt; compare stages before and after against what the workflow allows."""
        before = self._stages()
        audit_before = self._audit_count()
        with contextlib.suppress(Refused, NotAllowed, NotFound):
            work(self.users[role])
        self.now += timedelta(hours=3)
        after = self._stages()
        changed = {i for i in after if before.get(i) != after[i]}
        for item in changed:
            if item not in before:
                continue
            allowed = {(m.from_stages, m.to_stage) for m in workflow.MOVES.values() if role in m.roles}
            assert any(before[item] in frm and after[item] == to for frm, to in allowed), \
                (role, action, before[item], after[item])
        if changed:
            assert self._audit_count() > audit_before, "a change without its audit row"

    @rule(role=st.sampled_from(ROLES))
    def upload_and_submit(self, role):
        def work(user):
            row = self.db.query_one(
                """SELECT l.id, l.enr, u.unit_code FROM learners l JOIN registrations r ON r.learner_id = l.id
                   JOIN qualification_units u ON u.qualification_code = r.qualification_code
                   WHERE l.centre_id = ? AND r.expires_on > ? AND NOT EXISTS (SELECT 1 FROM submissions s
                     WHERE s.learner_id = l.id AND contains(s.unit_codes, u.unit_code)) LIMIT 1""",
                [self.users["centre"].centre_id, self.now.date()])
            upload = UnitUpload(row[0], row[2], (Upload(f"S.Smith-{row[1]}(1).docx", EVIDENCE),),
                                Upload("Sheet.docx", SHEET), EMBEDDED)
            [item] = uploads.upload_units(self.db, self.store, user, [upload], now=self.now)
            self.items.append(item)
            submitting.submit(self.db, user, [item], quality_confirmed=True, now=self.now)
        self._act(role, "upload", work)

    @precondition(lambda self: self.items)
    @rule(role=st.sampled_from(ROLES), pick=st.integers(0, 1000),
          action=st.sampled_from(["accept", "reject", "allocate", "auto", "mark_pass", "mark_referral", "agree",
                                  "send_back", "release", "resubmit"]))
    def act(self, role, pick, action):
        item = self.items[pick % len(self.items)]
        db, store, now = self.db, self.store, self.now
        assessor = self.users["assessor"].id
        unit = db.query_one("SELECT unit_codes FROM submissions WHERE id = ?", [item])[0].split(", ")[0]
        sheet = Upload("Marked.docx", SHEET)
        works = {
            "accept": lambda u: quality_check.accept(db, u, item, now=now),
            "reject": lambda u: quality_check.reject(db, u, item, "Missing the declaration page", now=now),
            "allocate": lambda u: allocation.allocate(db, u, item, assessor, now=now),
            "auto": lambda u: allocation.auto_allocate(db, u, now=now),
            "mark_pass": lambda u: marking.mark_unit(db, store, u, item, unit, "Pass", 70, "Good", sheet, now=now,
                                                     chance=self.chance),
            "mark_referral": lambda u: marking.mark_unit(db, store, u, item, unit, "Referral", 40, "Rework 2.1",
                                                         sheet, now=now, chance=self.chance),
            "agree": lambda u: sampling.agree(db, u, item, now=now),
            "send_back": lambda u: sampling.send_back(db, u, item, "Look again at 1.3", now=now),
            "release": lambda u: release.release(db, u, [item], now=now),
            "resubmit": lambda u: self._resubmit(u, item),
        }
        self._act(role, action, works[action])

    def _resubmit(self, user, item):
        new = submitting.start_resubmission(self.db, user, item, now=self.now)
        self.items.append(new)
        uploads.add_files(self.db, self.store, user, new, evidence=(Upload("work(2).docx", EVIDENCE),),
                          result_sheets={self.db.query_one("SELECT unit_codes FROM submissions WHERE id = ?", [new])[0]:
                                         Upload("Sheet.docx", SHEET)})
        batch = "PO 1234567"
        submitting.submit(self.db, user, [new], batch_name=batch, quality_confirmed=True, now=self.now)

    @invariant()
    def the_centre_sees_only_its_statuses(self):
        if not hasattr(self, "db"):
            return
        rows = tracker_page(self.db, self.users["centre"], limit=1_000_000).rows
        assert set(rows.Status) <= {"Submitted", "Rejected", "Completed", "Referred"}
        unreleased = rows[~rows.Status.isin(["Completed", "Referred"])]
        assert unreleased.Result.isna().all() and unreleased.Mark.isna().all()

    @invariant()
    def categories_and_resubmissions_follow_the_rules(self):
        if not hasattr(self, "db") or not self.items:
            return
        for _, category, resubmits, stage in self.db.query_all(
                "SELECT id, category, resubmits_id, stage FROM submissions WHERE list_contains(?, id)", [self.items]):
            if stage == "pending":
                continue
            if resubmits is None:
                assert category == "New"
            else:
                previous = self.db.query_one("SELECT stage, result FROM submissions WHERE id = ?", [resubmits])
                expected = {"Rejected": "Updated", "Referred": "Re-assessment"}[centre_status(*previous)]
                assert category == expected
        twice = self.db.query_one("""SELECT count(*) FROM (SELECT resubmits_id FROM submissions
                                     WHERE resubmits_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1)""")[0]
        assert twice == 0, "an old record was re-submitted again"

    @invariant()
    def sla_dates_follow_the_rules(self):
        if not hasattr(self, "db") or not self.items:
            return
        for submitted_at, target in self.db.query_all(
                "SELECT submitted_at, sla_target FROM submissions WHERE list_contains(?, id) AND submitted_at IS NOT NULL",
                [self.items]):
            assert target == workdays.sla_target(submitted_at)


ServiceMachine.TestCase.settings = settings(max_examples=12, stateful_step_count=25, deadline=None,
                                            suppress_health_check=list(HealthCheck))
TestServiceMachine = ServiceMachine.TestCase
