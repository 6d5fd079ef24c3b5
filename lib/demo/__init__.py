"""Deterministic demo data: centres, people, learners and three years of submissions in every state.

    python -m lib.demo --db PATH --submissions N [--seed S]

Everything is generated with numpy in whole columns and loaded with one INSERT … SELECT per
table, so a million submissions take seconds, not hours.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from lib.accounts.auth import user_by_username
from lib.accounts.passwords import hash_password
from lib.admin import accounts as admin_accounts
from lib.admin import centres as admin_centres
from lib.admin.install import load_reference_data
from lib.admin.registrations import MAX_ROWS, apply_import
from lib.demo.analytics import add_follow_up_work
from lib.demo.files import add_marked_sheets, add_work_files
from lib.demo.hei import add_hei
from lib.demo.paths import add_policy_paths
from lib.demo.records import add_learner_records
from lib.rules import workdays
from lib.rules.reference_data import QUALIFICATIONS
from lib.rules.roles import ASSESSMENT_TEAM, ASSESSOR, CENTRE, LEAD_ASSESSOR, QUALITY, ROLE_LABELS
from lib.service.claims_due import rebuild_claims_due
from lib.store.db import Database, Writer
from lib.store.files import FileStore
from lib.store.migrate import create_database

DEMO_PASSWORD = "ILM-demo-2026"
DEMO_MARKER_KEY = "demo_data"
DEFAULT_APP_SUBMISSIONS = 6_000
HISTORY_DAYS = 3 * 365

DEMO_CENTRE_NUMBER = "012345"
# (number, name, status, blocked reason, size weight, referral tendency)
NAMED_CENTRES = [
    (DEMO_CENTRE_NUMBER, "Northbridge Training Ltd", "active", None, 5.0, 0.16),
    ("023456", "Harbourside College", "active", None, 3.0, 0.11),
    ("034567", "Pennine Skills Academy", "active", None, 2.5, 0.31),
    ("045678", "Severn Valley Management School", "active", None, 2.0, 0.20),
    ("056789", "Thames Gateway Learning", "active", None, 1.5, 0.14),
    ("067890", "Fenland Business Training", "blocked", "invoice INV-2026-0419 unpaid for 60 days", 1.0, 0.24),
]
PLACES = ["Aldridge", "Barnsley", "Carlisle", "Dorking", "Exeter", "Frome", "Grimsby", "Hexham", "Ilkley",
          "Jarrow", "Kendal", "Leek", "Malton", "Newark", "Oakham", "Penrith", "Ripon", "Selby", "Thirsk",
          "Ulverston", "Wetherby", "Yeovil"]
KINDS = ["Training Ltd", "College", "Skills Centre", "Business School", "Academy", "Learning Partnership"]

FIRST_NAMES = ["Lisa", "David", "Olivia", "James", "Erin", "Daniel", "Amelia", "Mohammed", "Sophie", "Harry",
               "Priya", "George", "Chloe", "Jack", "Aisha", "Thomas", "Emily", "Oliver", "Grace", "Samuel",
               "Hannah", "Ryan", "Zara", "Liam", "Megan", "Kwame", "Niamh", "Owen", "Ruby", "Tariq",
               "Bethany", "Connor", "Fatima", "Lewis", "Isla", "Callum", "Jessica", "Ethan", "Leah", "Adam"]
LAST_NAMES = ["May", "Simpson", "Macintosh", "Jackson", "Brown", "Moss", "Smith", "Jones", "Taylor", "Williams",
              "Davies", "Evans", "Thomas", "Roberts", "Khan", "Patel", "Wright", "Walker", "Hughes", "Green",
              "Hall", "Wood", "Clarke", "Lewis", "Harris", "Okafor", "Murphy", "O'Brien", "Begum", "Turner",
              "Cooper", "Ward", "Morris", "King", "Baker", "Shah", "Nowak", "Reid", "Fletcher", "Ali"]

# (username, name, role, centre number, status, approved by)
# The team account comes first: it is set up as `python -m lib init` sets up a real installation's first
# account, and sets up everything else through the same calls the team uses in the app.
DEMO_USERS = [
    ("team.demo", "Rachel Green", ASSESSMENT_TEAM, None, "active", None),
    ("centre.demo", "Sam Carter", CENTRE, DEMO_CENTRE_NUMBER, "active", "Jo Pryce"),
    ("harbourside.demo", "Alex Morgan", CENTRE, "023456", "active", "Ben Ellis"),
    ("pennine.demo", "Nadia Rahman", CENTRE, "034567", "active", "Kate Firth"),
    ("assessor.demo", "Mark Evans", ASSESSOR, None, "active", None),
    ("lead.demo", "Helen Price", LEAD_ASSESSOR, None, "active", None),
    ("quality.demo", "Tom Ashworth", QUALITY, None, "active", None),
    ("closed.demo", "Chris Old", CENTRE, "023456", "closed", "Ben Ellis"),
    ("blocked.demo", "Pat Fen", CENTRE, "067890", "active", "Lee Marsh"),
    ("tutor.demo", "Priya Nair", CENTRE, DEMO_CENTRE_NUMBER, "active", "Jo Pryce"),
]
OTHER_ASSESSORS = ["Grace Holt", "Ian Pike", "Julia Stone", "Kevin Boyd", "Laura Quinn", "Mike Dunn", "Nina Shaw"]
FEEDBACK = {
    "Pass": "All assessment criteria met. Clear links between theory and workplace practice.",
    "Referral": "Some assessment criteria not met: see the marked result sheet for the criteria to rework.",
}


@dataclass(frozen=True)
class DemoSummary:
    centres: int
    learners: int
    submissions: int
    seconds: float


def _centres(rng: np.random.Generator, n_submissions: int) -> pd.DataFrame:
    extra = max(0, n_submissions // 4_000 - len(NAMED_CENTRES))
    rows = [dict(number=n, name=name, status=s, blocked_reason=r, weight=w, referral=p)
            for n, name, s, r, w, p in NAMED_CENTRES]
    names_per_round = len(PLACES) * len(KINDS)
    for i in range(extra):
        name = f"{PLACES[i % len(PLACES)]} {KINDS[(i // len(PLACES)) % len(KINDS)]}"
        if i >= names_per_round:
            name += f" {i // names_per_round + 1}"
        rows.append(dict(number=f"{100000 + i * 37:06d}", name=name, status="active", blocked_reason=None,
                         weight=float(rng.uniform(0.5, 3.0)), referral=float(rng.beta(4, 16))))
    centres = pd.DataFrame(rows)
    centres.insert(0, "id", np.arange(1, len(centres) + 1))
    # Each centre's quality contact, who approves its portal accounts (chosen by position, not drawn at random,
    # so the rest of the demo stays as it was).
    named_contacts = {centre: approver for _, _, role, centre, _, approver in DEMO_USERS if approver}
    centres["quality_contact"] = [
        named_contacts.get(number) or f"{FIRST_NAMES[(3 * i + 1) % len(FIRST_NAMES)]} {LAST_NAMES[(7 * i + 2) % len(LAST_NAMES)]}"
        for i, number in enumerate(centres.number)]
    centres["quality_contact_email"] = [
        contact.lower().replace(" ", ".").replace("'", "") + "@centre" + number + ".example"
        for contact, number in zip(centres.quality_contact, centres.number)]
    return centres


def _approvals(rng: np.random.Generator, centres: pd.DataFrame, today: date) -> pd.DataFrame:
    codes = [q[0] for q in QUALIFICATIONS]
    rows = []
    for centre_id, number in zip(centres.id, centres.number):
        if number == DEMO_CENTRE_NUMBER:
            chosen = ["8000-14", "8600-31", "8585-31", "8607-51"]
        else:
            chosen = list(rng.choice(codes, size=int(rng.integers(2, len(codes) + 1)), replace=False))
        for code in chosen:
            integrated = code in ("8000-14", "8600-31") and (number == DEMO_CENTRE_NUMBER or rng.random() < 0.4)
            rows.append((int(centre_id), str(code), bool(integrated), today - timedelta(days=HISTORY_DAYS + 200)))
    return pd.DataFrame(rows, columns=["centre_id", "qualification_code", "integrated", "approved_on"])


def _learners(rng, n_learners: int, centres: pd.DataFrame, approvals: pd.DataFrame, today: date):
    weights = centres.weight.to_numpy() / centres.weight.sum()
    centre_idx = rng.choice(len(centres), size=n_learners, p=weights)
    codes = rng.choice(26**3 * 10_000, size=n_learners, replace=False)
    letters = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    prefix = codes // 10_000
    enr = (pd.Series(letters[prefix // 676]) + letters[(prefix // 26) % 26] + letters[prefix % 26]
           + pd.Series(codes % 10_000).astype(str).str.zfill(4))
    learners = pd.DataFrame({
        "id": np.arange(1, n_learners + 1),
        "enr": enr,
        "first_name": np.array(FIRST_NAMES)[rng.integers(0, len(FIRST_NAMES), n_learners)],
        "last_name": np.array(LAST_NAMES)[rng.integers(0, len(LAST_NAMES), n_learners)],
        "centre_id": centres.id.to_numpy()[centre_idx],
    })
    by_centre = approvals.groupby("centre_id").qualification_code.apply(list).to_dict()
    # One qualification per learner, drawn from what the centre is approved for.
    pick = rng.random(n_learners)
    qualification = [by_centre[c][int(p * len(by_centre[c]))] for c, p in zip(learners.centre_id, pick)]
    registered_days_ago = rng.integers(20, HISTORY_DAYS + 60, n_learners)
    registered_on = np.datetime64(today, "D") - registered_days_ago.astype("timedelta64[D]")
    registrations = pd.DataFrame({
        "id": learners.id.to_numpy(),
        "learner_id": learners.id.to_numpy(),
        "qualification_code": qualification,
        "registered_on": registered_on,
        "expires_on": registered_on + np.timedelta64(3 * 365, "D"),
    })
    return learners, registrations


def _chains(rng, registrations: pd.DataFrame, learners: pd.DataFrame, approvals: pd.DataFrame) -> pd.DataFrame:
    """Learner × unit(s) sets, each to be submitted one or more times; units never repeat for a learner."""
    quals = {code: [u[0] for u in units] for code, _, _, units in QUALIFICATIONS}
    per_learner = registrations[["learner_id", "qualification_code", "registered_on"]].copy()
    per_learner["centre_id"] = learners.centre_id.to_numpy()
    pairs = per_learner.loc[per_learner.index.repeat(per_learner.qualification_code.map(lambda q: len(quals[q])))]
    pairs = pairs.reset_index(drop=True)
    pairs["slot"] = pairs.groupby("learner_id").cumcount()
    pairs["unit_code"] = [quals[q][s] for q, s in zip(pairs.qualification_code, pairs.slot)]
    # Each learner submits a random number of their units, in a random order.
    pairs["order"] = rng.random(len(pairs))
    pairs["rank"] = pairs.groupby("learner_id")["order"].rank(method="first").astype(int) - 1
    wanted = per_learner.set_index("learner_id").qualification_code.map(lambda q: len(quals[q]))
    taken = np.minimum(wanted, rng.integers(1, 5, len(wanted)))
    pairs = pairs[pairs["rank"] < pairs.learner_id.map(taken).to_numpy()]
    # Learners at centres approved for integrated assessment sometimes send two or three units as one.
    integrated = approvals[approvals.integrated]
    integrated_ok = set(zip(integrated.centre_id, integrated.qualification_code))
    can_integrate = pd.Series([(c, q) in integrated_ok for c, q in zip(pairs.centre_id, pairs.qualification_code)],
                              index=pairs.index)
    learner_integrates = pairs.learner_id.map(pd.Series(rng.random(len(wanted)) < 0.3, index=wanted.index))
    grouped = can_integrate & learner_integrates & (pairs["rank"] < 2 + (pairs.learner_id % 2))
    pairs["chain_key"] = np.where(grouped, pairs.learner_id * 100, pairs.learner_id * 100 + 1 + pairs["rank"])
    pairs = pairs.sort_values(["chain_key", "unit_code"])
    chains = (pairs.groupby("chain_key", sort=False)
              .agg(learner_id=("learner_id", "first"), centre_id=("centre_id", "first"),
                   qualification_code=("qualification_code", "first"), registered_on=("registered_on", "first"),
                   unit_codes=("unit_code", "first"), units=("unit_code", "count")))
    # Joining codes is slow in pandas, so only the few integrated chains pay for it.
    several = chains.index[chains.units > 1]
    joined = pairs[pairs.chain_key.isin(several)].groupby("chain_key").unit_code.agg(", ".join)
    chains.loc[joined.index, "unit_codes"] = joined
    chains = chains.reset_index(drop=True)
    chains["type"] = np.where(chains.units > 1, "Integrated", "Unit")
    return chains


def _attempts(rng, chains: pd.DataFrame, centres: pd.DataFrame, today: date) -> pd.DataFrame:
    """Every submission of every chain: a New one, then Updated or Re-assessment after each setback."""
    today64 = np.datetime64(today, "D")
    start_floor = today64 - np.timedelta64(HISTORY_DAYS, "D")
    registered = chains.registered_on.to_numpy().astype("datetime64[D]")
    first_day = np.maximum(registered + np.timedelta64(14, "D"), start_floor)
    span = np.maximum((today64 - first_day).astype(int), 1)
    day = first_day + (rng.random(len(chains)) * span).astype("timedelta64[D]")
    referral_tendency = chains.centre_id.map(centres.set_index("id").referral).to_numpy()
    rounds = []
    current = pd.DataFrame({"chain": np.arange(len(chains)), "day": day, "category": "New", "attempt": 1})
    while len(current):
        n = len(current)
        received = workdays.offset_working_days(current.day.to_numpy(), 0)
        qc_done = workdays.offset_working_days(received, 0) + rng.integers(1, 6, n).astype("timedelta64[D]")
        released = workdays.offset_working_days(received, 0) + np.where(
            rng.random(n) < 0.9, rng.integers(14, 36, n), rng.integers(36, 50, n)).astype("timedelta64[D]")
        rejected = rng.random(n) < 0.06
        tendency = referral_tendency[current.chain.to_numpy()] * np.where(current.category == "Re-assessment", 0.5, 1.0)
        unit_referral_p = np.clip(tendency, 0.01, 0.9)
        referred = ~rejected & (rng.random(n) < 1 - (1 - unit_referral_p) ** chains.units.to_numpy()[current.chain])
        rounds.append(current.assign(received=received, qc_done=qc_done, released=released, rejected=rejected,
                                     referred=referred, referral_p=unit_referral_p))
        finished = np.where(rejected, qc_done, released)
        again = (finished + np.timedelta64(20, "D") < today64) & (current.attempt.to_numpy() < 4) & (
            (rejected & (rng.random(n) < 0.85)) | (referred & (rng.random(n) < 0.75)))
        nxt = current[again]
        gap = rng.integers(5, 40, int(again.sum())).astype("timedelta64[D]")
        current = pd.DataFrame({
            "chain": nxt.chain.to_numpy(),
            "day": finished[again] + gap,
            "category": np.where(rejected[again], "Updated", "Re-assessment"),
            "attempt": nxt.attempt.to_numpy() + 1,
        })
        current = current[current.day < today64].reset_index(drop=True)
    return pd.concat(rounds, ignore_index=True)


def _trim(rng, attempts: pd.DataFrame, n: int) -> pd.DataFrame:
    """Keep exactly n submissions: whole chains in random order, then the first attempts of one more."""
    sizes = attempts.groupby("chain").size()
    order = sizes.index.to_numpy()[rng.permutation(len(sizes))]
    before = np.cumsum(sizes.loc[order].to_numpy()) - sizes.loc[order].to_numpy()
    allowed = pd.Series(np.clip(n - before, 0, None), index=order)
    return attempts[attempts.attempt <= attempts.chain.map(allowed)]


def _submissions(rng, chains, centres, assessor_ids, n: int, today: date, now: datetime):
    attempts = _attempts(rng, chains, centres, today)
    if len(attempts) < n:
        raise ValueError(f"{len(chains)} learner units give only {len(attempts)} submissions, not {n}")
    attempts = _trim(rng, attempts, n).sort_values(["day", "chain"]).reset_index(drop=True)
    today64 = np.datetime64(today, "D")
    count = len(attempts)
    chain = chains.iloc[attempts.chain.to_numpy()].reset_index(drop=True)

    seconds = rng.integers(8 * 3600, 18 * 3600, count).astype("timedelta64[s]")
    submitted_at = attempts.day.to_numpy().astype("datetime64[s]") + seconds
    uploaded_at = submitted_at - rng.integers(600, 3 * 86400, count).astype("timedelta64[s]")
    recent = attempts.day.to_numpy() >= today64 - np.timedelta64(4, "D")
    pending = recent & (rng.random(count) < 0.35)

    qc_done = attempts.qc_done.to_numpy()
    released_day = attempts.released.to_numpy()
    rejected = attempts.rejected.to_numpy() & (qc_done <= today64) & ~pending
    released = ~pending & ~rejected & (released_day <= today64)
    in_flight = ~pending & ~rejected & ~released
    progress = np.where(in_flight, (today64 - attempts.received.to_numpy()).astype(int) /
                        np.maximum((released_day - attempts.received.to_numpy()).astype(int), 1), 0)
    stage = np.select(
        [pending, rejected, released, in_flight & (today64 < qc_done), progress < 0.25, progress < 0.75,
         progress < 0.85, progress < 0.93],
        # 'marked' is passed through at once by the sampling rules, so marked work waits in sampling or ready.
        ["pending", "rejected", "released", "submitted", "accepted", "allocated", "sampling", "sampling"],
        default="ready",
    )
    has_assessor = np.isin(stage, ["allocated", "marked", "sampling", "ready", "released"])
    is_marked = np.isin(stage, ["marked", "sampling", "ready", "released"])
    days = attempts.day.to_numpy()
    received = attempts.received.to_numpy()
    sub = pd.DataFrame({
        "id": np.arange(1, count + 1, dtype=np.int64),
        "centre_id": chain.centre_id.to_numpy(),
        "learner_id": chain.learner_id.to_numpy(),
        "qualification_code": chain.qualification_code.to_numpy(),
        "type": chain.type.to_numpy(),
        "stage": stage,
        "category": np.where(pending, None, attempts.category.to_numpy()),
        "unit_codes": chain.unit_codes.to_numpy(),
        "uploaded_at": uploaded_at,
        "submitted_at": np.where(pending, np.datetime64("NaT"), submitted_at),
        "received_on": np.where(pending, np.datetime64("NaT"), received),
        "sla_target": np.where(pending, np.datetime64("NaT"), workdays.sla_targets(days)),
        "qc_due": np.where(pending, np.datetime64("NaT"), workdays.offset_working_days(days, 5)),
        "rejected_at": np.where(rejected, qc_done.astype("datetime64[s]") + np.timedelta64(11 * 3600, "s"),
                                np.datetime64("NaT")),
        "rejection_reason": np.where(
            rejected, np.array(REJECTION_REASONS)[rng.integers(0, len(REJECTION_REASONS), count)], None),
        "assessor_id": np.where(has_assessor, np.array(assessor_ids)[rng.integers(0, len(assessor_ids), count)], None),
        "allocated_at": np.where(has_assessor, qc_done.astype("datetime64[s]") + np.timedelta64(15 * 3600, "s"),
                                 np.datetime64("NaT")),
        "marked_at": np.where(is_marked, released_day.astype("datetime64[s]") - np.timedelta64(2 * 86400, "s"),
                              np.datetime64("NaT")),
        "quality_checked_at": np.where(~np.isin(stage, ["pending", "submitted"]),
                                       qc_done.astype("datetime64[s]") + np.timedelta64(10 * 3600, "s"),
                                       np.datetime64("NaT")),
        "released_at": np.where(released, released_day.astype("datetime64[s]") + np.timedelta64(14 * 3600, "s"),
                                np.datetime64("NaT")),
        "chain": attempts.chain.to_numpy(),
        "referral_p": attempts.referral_p.to_numpy(),
        "referred": attempts.referred.to_numpy(),
        "resubmits_id": None,
    })
    previous = sub.groupby("chain").id.shift(1)
    sub["resubmits_id"] = previous.where(previous.notna(), None)
    sub["uploaded_by"] = None
    sub["submitted_by"] = None
    units = _unit_results(rng, sub, is_marked, now)
    per_item = units.assign(referral=units.result == "Referral").groupby("submission_id").agg(
        any_referral=("referral", "max"), mark=("mark", "mean"))
    item = per_item.reindex(sub.id)
    sub["result"] = np.where(released, np.where(item.any_referral.to_numpy(dtype=bool), "Referral", "Pass"), None)
    sub["mark"] = np.where(released, np.round(item.mark.to_numpy(dtype=float)), np.nan)
    sub["mark"] = sub["mark"].astype("Int64")
    return sub, units


REJECTION_REASONS = [
    "Result sheet missing the learner's name and centre details.",
    "Authenticity declaration not signed by the learner.",
    "Files do not follow the naming protocol (Learner name-ENR(N)).",
    "Evidence is incomplete: the second task is missing.",
    "Wrong result sheet template for this unit.",
    "Assessment exceeds the word count guidance; please make it more concise and re-submit.",
]


def _unit_results(rng, sub: pd.DataFrame, is_marked: np.ndarray, now: datetime) -> pd.DataFrame:
    codes = sub.unit_codes.str.split(", ")
    units = pd.DataFrame({
        "submission_id": np.repeat(sub.id.to_numpy(), codes.str.len().to_numpy()),
        "unit_code": np.concatenate(codes.to_numpy()) if len(codes) else np.array([], dtype=object),
    })
    repeat = codes.str.len().to_numpy()
    marked = np.repeat(is_marked, repeat)
    # Units agree with the item's outcome: a referred item has at least one Referral, a passed one none.
    item_referred = np.repeat(sub.referred.to_numpy(dtype=bool), repeat)
    chance = np.maximum(np.repeat(sub.referral_p.to_numpy(), repeat), 0.5)
    referral = marked & item_referred & (rng.random(len(units)) < chance)
    first_unit = np.r_[True, units.submission_id.to_numpy()[1:] != units.submission_id.to_numpy()[:-1]]
    none_yet = ~pd.Series(referral).groupby(units.submission_id.to_numpy()).transform("any").to_numpy()
    referral |= marked & item_referred & first_unit & none_yet
    mark = np.where(referral, rng.integers(25, 58, len(units)), rng.integers(55, 96, len(units)))
    units["result"] = np.where(marked, np.where(referral, "Referral", "Pass"), None)
    units["mark"] = pd.Series(mark, dtype="Int64").where(marked)
    units["feedback"] = np.where(marked, np.where(referral, FEEDBACK["Referral"], FEEDBACK["Pass"]), None)
    units["marked_at"] = np.repeat(sub.marked_at.to_numpy(), repeat)
    units["marked_by"] = np.repeat(sub.assessor_id.to_numpy(), repeat)
    return units


def _batches(rng, sub: pd.DataFrame) -> pd.DataFrame:
    """Re-assessments go in weekly purchase-order batches; some other same-day submissions in cohorts."""
    submitted = sub[sub.stage != "pending"]
    week = submitted.submitted_at.dt.to_period("W").astype(str)
    day = submitted.submitted_at.dt.date.astype(str)
    is_reassessment = submitted.category == "Re-assessment"
    key = np.where(is_reassessment, "PO|" + submitted.centre_id.astype(str) + "|" + week,
                   "CO|" + submitted.centre_id.astype(str) + "|" + day)
    groups = pd.Series(key, index=submitted.index)
    unique_keys = groups.unique()
    keep = pd.Series(rng.random(len(unique_keys)) < 0.45, index=unique_keys)
    keep[[k for k in unique_keys if k.startswith("PO|")]] = True
    chosen = groups[groups.map(keep)]
    batch_ids = pd.Series(np.arange(1, chosen.nunique() + 1), index=chosen.unique())
    sub.loc[chosen.index, "batch_id"] = chosen.map(batch_ids).to_numpy()
    first = submitted.loc[chosen.index].assign(batch_key=chosen).groupby("batch_key").agg(
        centre_id=("centre_id", "first"), created_at=("submitted_at", "min"))
    first = first.loc[batch_ids.index]
    names = []
    for key_text, created in zip(first.index, first.created_at):
        if key_text.startswith("PO|"):
            names.append(f"PO {int(rng.integers(2_000_000, 9_999_999))}")
        else:
            names.append(f"{created:%b%y} Cohort {int(rng.integers(1, 9))}")
    return pd.DataFrame({"id": batch_ids.to_numpy(), "centre_id": first.centre_id.to_numpy(), "name": names,
                         "created_at": first.created_at.to_numpy(), "created_by": None})


def _users(centres: pd.DataFrame, now: datetime) -> pd.DataFrame:
    by_number = dict(zip(centres.number, centres.id))
    rows = []
    for username, name, role, centre, status, approved_by in DEMO_USERS:
        rows.append((username, name, role, by_number.get(centre), status, approved_by))
    for index, name in enumerate(OTHER_ASSESSORS, start=1):
        rows.append((f"assessor{index}.demo", name, ASSESSOR, None, "active", None))
    users = pd.DataFrame(rows, columns=["username", "name", "role", "centre_id", "status", "approved_by"])
    users.insert(0, "id", np.arange(1, len(users) + 1))
    users["email"] = users.username.str.replace(".demo", "", regex=False) + "@demo.ilm-assessment.example"
    # Cost 10, not 12, and one hash for all: the demo password is public anyway, and first start should be quick.
    users["password_hash"] = hash_password(DEMO_PASSWORD, rounds=10)
    users["created_at"] = now - timedelta(days=HISTORY_DAYS + 30)
    users["closed_at"] = np.where(users.status == "closed", now - timedelta(days=40), None)
    users["centre_id"] = users.centre_id.astype("Int64")
    return users


def _insert(writer: Writer, table: str, frame: pd.DataFrame, columns: list[str]) -> None:
    writer.cursor.register("demo_frame", frame[columns])
    writer.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM demo_frame")
    writer.cursor.unregister("demo_frame")


def _restart_sequence(writer: Writer, sequence: str, table: str) -> None:
    next_id = writer.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]
    writer.execute(f"DROP SEQUENCE {sequence}")
    writer.execute(f"CREATE SEQUENCE {sequence} START WITH {int(next_id)}")


def _set_up_the_service(db: Database, centres: pd.DataFrame, approvals: pd.DataFrame, users: pd.DataFrame,
                        now: datetime) -> None:
    """Centres, their approvals and the accounts, made through the team's own calls (the ids come out as the
    demo numbered them, as the sequences start where the demo's numbering does)."""
    team = user_by_username(db, "team.demo")
    approved_on = now - timedelta(days=HISTORY_DAYS + 200)
    for row in centres.itertuples(index=False):
        centre_id = admin_centres.create_centre(db, team, row.number, row.name, row.quality_contact,
                                                row.quality_contact_email, now=approved_on)
        assert centre_id == row.id, "demo centres are numbered as created"
        admin_centres.set_ukprn(db, team, row.number, DEMO_UKPRN_BASE + centre_id)
    numbers = centres.set_index("id").number
    for row in approvals.itertuples(index=False):
        admin_centres.set_approval(db, team, numbers[row.centre_id], row.qualification_code, True,
                                   integrated=row.integrated, today=row.approved_on)
    created = now - timedelta(days=HISTORY_DAYS + 30)
    for row in users[users.username != "team.demo"].itertuples(index=False):
        number = numbers[row.centre_id] if not pd.isna(row.centre_id) else None
        admin_accounts.create_account(db, team, row.username, row.name, row.email, row.role, number,
                                      row.approved_by, now=created)
    demo_hash = users.password_hash.iloc[0]

    def demo_passwords(writer: Writer) -> None:
        writer.execute("UPDATE users SET password_hash = ?, must_change_password = FALSE", [demo_hash])
        writer.audit("demo_passwords", "user", None, after={"accounts": len(users), "password": "the README's"})

    db.transact(team, demo_passwords)
    for row in users[users.status == "closed"].itertuples(index=False):
        admin_accounts.close_account(db, team, row.username, "Left the centre", now=now - timedelta(days=40))
    for row in centres[centres.status == "blocked"].itertuples(index=False):
        admin_centres.block_centre(db, team, row.number, row.blocked_reason, now=now - timedelta(days=12))
    mismatched = db.query_one("SELECT count(*) FROM users u JOIN (SELECT unnest(?) AS username, unnest(?) AS id) d "
                              "USING (username) WHERE u.id <> d.id", [users.username.tolist(), users.id.tolist()])[0]
    assert mismatched == 0, "demo accounts are numbered as created"


DEMO_EXPORT_NAME = "walled-garden-registrations-demo.csv"
# Demo centres' UKPRNs: 8 digits in the register's range, one per centre (the HEI has its own).
DEMO_UKPRN_BASE = 10_090_000


def _import_registrations(db: Database, centres: pd.DataFrame, learners: pd.DataFrame,
                          registrations: pd.DataFrame) -> pd.Series:
    """Import the demo's registrations through the same check and apply the team uses; the demo's own learner
    numbers -> the ids the import gave them."""
    numbers = centres.set_index("id").number
    export = pd.DataFrame({
        "Centre Number": learners.centre_id.map(numbers).to_numpy(),
        "ENR": learners.enr.to_numpy(),
        "First Name": learners.first_name.to_numpy(),
        "Last Name": learners.last_name.to_numpy(),
        "Qualification Code": registrations.qualification_code.to_numpy(),
        "Registration Date": pd.to_datetime(registrations.registered_on).dt.strftime("%d/%m/%Y").to_numpy(),
        "Expiry Date": pd.to_datetime(registrations.expires_on).dt.strftime("%d/%m/%Y").to_numpy(),
    })
    team = user_by_username(db, "team.demo")
    # A large demo comes as several files, as a Walled Garden export that large would (an import takes at most
    # MAX_ROWS rows).
    parts = max(1, -(-len(export) // (MAX_ROWS // 2)))
    for part in range(parts):
        name = DEMO_EXPORT_NAME if parts == 1 else DEMO_EXPORT_NAME.replace(".csv", f"-{part + 1}-of-{parts}.csv")
        rows = export.iloc[part::parts]
        _, check = apply_import(db, team, name, rows.to_csv(index=False).encode())
        if check.counts()["errors"]:
            raise AssertionError(f"the demo export has refused rows: {check.errors.head(3).to_dict('records')}")
    ids = dict(db.query_all("SELECT enr, id FROM learners"))
    return pd.Series(learners.enr.map(ids).to_numpy(), index=learners.id.to_numpy())


def seed(db: Database, n_submissions: int, seed: int = 2025, today: date | None = None) -> DemoSummary:
    """Fill an empty, migrated database with demo data in one transaction."""
    started = time.perf_counter()
    today = today or date.today()
    now = datetime.combine(today, datetime.min.time()) + timedelta(hours=9)
    rng = np.random.default_rng(seed)
    centres = _centres(rng, n_submissions)
    approvals = _approvals(rng, centres, today)
    learners, registrations = _learners(rng, max(60, int(n_submissions / 1.6)), centres, approvals, today)
    chains = _chains(rng, registrations, learners, approvals)
    users = _users(centres, now)
    assessor_ids = users[users.role == ASSESSOR].id.tolist()
    sub, units = _submissions(rng, chains, centres, assessor_ids, n_submissions, today, now)
    centre_user = users[users.role == CENTRE].drop_duplicates("centre_id").set_index("centre_id").id
    uploader = sub.centre_id.map(centre_user).astype("Int64")
    sub["uploaded_by"] = uploader
    sub["submitted_by"] = uploader.where(sub.stage != "pending")
    sub["batch_id"] = pd.array([None] * len(sub), dtype="Int64")
    batches = _batches(rng, sub)

    def install(writer: Writer) -> None:
        writer.execute("INSERT INTO app_meta VALUES (?, ?)", [DEMO_MARKER_KEY, f"seed {seed}, {today.isoformat()}"])
        load_reference_data(writer)
        _insert(writer, "users", users[users.username == "team.demo"],
                ["id", "username", "name", "email", "role", "centre_id", "approved_by", "password_hash", "status",
                 "created_at"])
        _restart_sequence(writer, "seq_users", "users")
        writer.audit("demo_seeded", "database", None, after={"seed": seed, "today": today})

    db.transact(None, install, actor_name="demo seeding")
    _set_up_the_service(db, centres, approvals, users, now)
    # The learners and their registrations arrive as a real installation's do: a Walled Garden export, imported.
    learner_ids = _import_registrations(db, centres, learners, registrations)
    sub["learner_id"] = sub.learner_id.map(learner_ids)

    def add_the_work(writer: Writer) -> None:
        _insert(writer, "batches", batches, ["id", "centre_id", "name", "created_at", "created_by"])
        _insert(writer, "submissions", sub, SUBMISSION_COLUMNS)
        _insert(writer, "submission_units", units,
                ["submission_id", "unit_code", "result", "mark", "feedback", "marked_at", "marked_by"])
        sampled = sub[sub.stage == "sampling"]
        _insert(writer, "sampling", pd.DataFrame({
            "submission_id": sampled.id.to_numpy(), "round": 1,
            "reasons": np.where(sampled.category == "Re-assessment", "every re-assessment is sampled",
                                "picked at random"),
            "selected_at": sampled.marked_at.to_numpy()}), ["submission_id", "round", "reasons", "selected_at"])
        for sequence, table in [("seq_batches", "batches"), ("seq_submissions", "submissions")]:
            _restart_sequence(writer, sequence, table)
        writer.audit("demo_seeded", "database", None, after={"submissions": len(sub)})

    db.transact(None, add_the_work, actor_name="demo seeding")
    return DemoSummary(len(centres), len(learners), len(sub), time.perf_counter() - started)


SUBMISSION_COLUMNS = ["id", "centre_id", "learner_id", "qualification_code", "type", "stage", "category",
                      "resubmits_id", "unit_codes", "batch_id", "uploaded_at", "uploaded_by", "submitted_at",
                      "submitted_by", "received_on", "sla_target", "qc_due", "rejected_at", "rejection_reason",
                      "assessor_id", "allocated_at", "marked_at", "released_at", "result", "mark", "quality_checked_at"]


WHAT_TO_TRY = {
    "team.demo": "the service's queues, enquiries to give to reviewers, SLA dashboard and breach forecast, referral "
                 "rates, administration",
    "centre.demo": "upload, Pending Submission, the Tracker, enquiries and an appeal, an agreed change of "
                   "assessment method, learner records and programmes, My referral rates",
    "harbourside.demo": "another centre, with a Feedback Summary Report",
    "pennine.demo": "a centre above the referral limits",
    "assessor.demo": "the marking queue, with real files and a recorded presentation; an enquiry to review",
    "lead.demo": "sampling, batch review and Feedback Summary Reports",
    "quality.demo": "EQA alerts, malpractice cases, an appeal to decide, a request to change assessment method",
    "university.demo": "a university (ILM Mapped): its mapped programmes, a change request, release checks",
    "tutor.demo": "a second user at the demo centre: QA-verifies learner records the first one edited",
    "closed.demo": "a closed account: sign-in is refused",
    "blocked.demo": "a blocked centre: sign-in says why",
}


def demo_accounts(db: Database) -> pd.DataFrame:
    """Every demo account with its role, its centre and what to try with it (for the sign-in page of a demo)."""
    accounts = db.query_df(
        """SELECT u.username AS "Username", u.name AS "Name", u.role, coalesce(c.number || ' ' || c.name, '') AS "Centre",
                  u.status FROM users u LEFT JOIN centres c ON c.id = u.centre_id
           WHERE u.username LIKE '%.demo' ORDER BY u.id""")
    accounts.insert(2, "Role", accounts.pop("role").map(ROLE_LABELS))
    accounts["Try"] = [WHAT_TO_TRY.get(name, "one of the other assessors") for name in accounts.Username]
    return accounts.drop(columns=["status"])


def is_demo(db: Database) -> bool:
    return db.query_one("SELECT count(*) FROM app_meta WHERE key = ?", [DEMO_MARKER_KEY])[0] > 0


def build(path: Path, n_submissions: int, seed_value: int = 2025, today: date | None = None,
          files_dir: Path | None = None, store=None) -> DemoSummary:
    """Create a new database file at path with demo data, whole or not at all.

    With files_dir (or a store: a folder's or a bucket's), the demo centre's latest released items also get marked
    result sheets there, and the work a demo walks through (quality check, the demo assessor's queue, sampling,
    release) its evidence and sheets.
    """
    store = store if store is not None else FileStore(files_dir) if files_dir is not None else None

    def fill(db: Database) -> DemoSummary:
        summary = seed(db, n_submissions, seed_value, today)
        add_follow_up_work(db, today or date.today(), [number for number, *_ in NAMED_CENTRES])
        if store is not None:
            add_marked_sheets(db, store, DEMO_CENTRE_NUMBER)
            add_work_files(db, store)
        add_policy_paths(db, store, today or date.today(), DEMO_CENTRE_NUMBER, NAMED_CENTRES[1][0])
        add_learner_records(db, today or date.today(), DEMO_CENTRE_NUMBER, NAMED_CENTRES[1][0])
        add_hei(db, today or date.today())
        db.transact(None, rebuild_claims_due, actor_name="demo seeding")  # the seeded releases and claims
        return summary

    return create_database(path, fill)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib demo", description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="path of the new DuckDB file")
    parser.add_argument("--submissions", type=int, default=DEFAULT_APP_SUBMISSIONS, help="how many submissions")
    parser.add_argument("--seed", type=int, default=2025, help="random seed (same seed, same data)")
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="the day the data ends (YYYY-MM-DD)")
    args = parser.parse_args(argv)
    if args.submissions < 1:
        parser.error("--submissions must be at least 1")
    try:
        summary = build(args.db, args.submissions, args.seed, args.today)
    except FileExistsError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"{args.db}: {summary.submissions:,} submissions, {summary.learners:,} learners, "
          f"{summary.centres} centres in {summary.seconds:.1f} s")
    return 0

