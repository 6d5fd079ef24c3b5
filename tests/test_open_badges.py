"""Open Badges 2.0 hosted verification, done as a verifier does it (the spec's "Verifying Badges" steps): fetch the
assertion at its id and find the same document, fetch its BadgeClass and the BadgeClass's Issuer, check each has the
properties the spec requires, that the assertion and the issuer share an origin, and that the hashed recipient is the
learner's email. The published files are served by Streamlit's static serving, with a JSON content type."""

from __future__ import annotations

import hashlib
import json
import secrets
import urllib.request
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import filetype
import pandas as pd
import pytest

from lib.centre.uploads import Upload
from lib.hei import credentials, open_badges
from lib.store import devserver
from tests.test_hei import BSC, NOW, TODAY, people, programme, run_bsc_check, samples_png  # noqa: F401 (the fixture)

BASE = "https://assessment.ilm.example"
CONTEXT = "https://w3id.org/openbadges/v2"
# Required by Open Badges 2.0 (https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html).
ASSERTION_REQUIRED = {"@context", "id", "type", "recipient", "badge", "verification", "issuedOn"}
BADGE_CLASS_REQUIRED = {"id", "type", "name", "description", "image", "criteria", "issuer"}
PROFILE_REQUIRED = {"id", "type", "name", "url", "email"}


class Unverified(Exception):
    pass


def verify(assertion: dict, email: str, fetch) -> None:
    """Raise Unverified with the reason, or return: the assertion verifies for this recipient."""
    if not ASSERTION_REQUIRED <= set(assertion) or assertion["@context"] != CONTEXT or assertion["type"] != "Assertion":
        raise Unverified(f"not an Open Badges 2.0 assertion: {sorted(ASSERTION_REQUIRED - set(assertion))}")
    if assertion["verification"].get("type") not in ("HostedBadge", "hosted"):
        raise Unverified("not hosted")
    hosted = fetch(assertion["id"])
    if hosted != assertion:
        raise Unverified("the assertion at its id is not this one")
    badge = fetch(assertion["badge"])
    if not BADGE_CLASS_REQUIRED <= set(badge) or badge["type"] != "BadgeClass" or badge["id"] != assertion["badge"]:
        raise Unverified("the badge is not a BadgeClass at its id")
    issuer = fetch(badge["issuer"])
    if not PROFILE_REQUIRED <= set(issuer) or issuer["id"] != badge["issuer"]:
        raise Unverified("the issuer is not a Profile at its id")
    allowed = issuer.get("verification", {}).get("allowedOrigins") or [urlsplit(issuer["id"]).netloc]
    if urlsplit(assertion["id"]).netloc not in allowed:
        raise Unverified("the assertion is not hosted where its issuer is")
    image = fetch(badge["image"], raw=True)
    if filetype.guess(image) is None or filetype.guess(image).extension not in ("png", "jpg", "svg"):
        raise Unverified("the badge image is not an image")
    datetime.fromisoformat(assertion["issuedOn"].replace("Z", "+00:00"))
    identity = assertion["recipient"]
    expected = "sha256$" + hashlib.sha256((email + identity.get("salt", "")).encode()).hexdigest()
    if identity["type"] != "email" or not identity["hashed"] or identity["identity"] != expected:
        raise Unverified("the recipient is someone else")


def from_folder(folder: Path):
    def fetch(url: str, raw: bool = False):
        prefix = f"{BASE}/{open_badges.SERVED_PATH}/"
        if not url.startswith(prefix):
            raise Unverified(f"{url} is not published here")
        data = (folder / url.removeprefix(prefix)).read_bytes()
        return data if raw else json.loads(data)

    return fetch


@pytest.fixture
def issued(db, people):  # noqa: F811 (the fixture imported above)
    quality = people["quality"]
    names = [r[0] for r in db.query_all("""SELECT l.first_name || ' ' || l.last_name FROM hei_order_learners o
                                           JOIN learners l ON l.id = o.learner_id WHERE o.order_number = 'WG-271828'""")]
    check = run_bsc_check(db, quality, pd.DataFrame({"Name": names}))
    credentials.save_metadata(db, quality, programme(db, BSC), "ILM-UNB-BSC-L5", "BSc with ILM Level 5", "Dual",
                              "Conferred and claimed", ["Teams"], Upload("logo.png", samples_png()), now=NOW)
    credentials.issue_badge_claims(db, quality, check, today=TODAY)
    return check


def test_every_issued_credential_verifies_as_a_verifier_checks_it(db, people, issued, tmp_path):  # noqa: F811
    assert open_badges.publish(db, BASE, tmp_path) >= 3
    downloaded = json.loads(credentials.assertions(db, people["quality"], issued, BASE))
    emails = dict(db.query_all("SELECT enr, email FROM badges_issued WHERE check_id = ?", [issued]))
    assert len(downloaded) == len(emails) == 4
    fetch = from_folder(tmp_path)
    by_identity = {a["recipient"]["identity"]: a for a in downloaded}
    for enr, email in emails.items():
        salt = hashlib.sha256(f"ILM-UNB-BSC-L5/{enr}".encode()).hexdigest()[:16]
        assertion = by_identity["sha256$" + hashlib.sha256((email + salt).encode()).hexdigest()]
        verify(assertion, email, fetch)
        with pytest.raises(Unverified, match="someone else"):
            verify(assertion, "someone.else@example.org", fetch)
        assert enr not in json.dumps(assertion) and email not in json.dumps(assertion)
    forged = {**downloaded[0], "issuedOn": "2020-01-01T00:00:00Z"}
    with pytest.raises(Unverified, match="not this one"):
        verify(forged, emails[next(iter(emails))], fetch)
    # Publishing again changes nothing, and the earlier uuid-only ids are gone: each id is where it is hosted.
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.json")}
    open_badges.publish(db, BASE, tmp_path)
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.json")} == before
    assert all(a["id"].startswith(f"{BASE}/app/static/openbadges/assertions/") for a in downloaded)


def test_streamlit_serves_the_published_folder_as_json(db_path, tmp_path):
    probe = open_badges.PUBLISHED_DIR / f"probe-{secrets.token_hex(4)}.json"
    probe.parent.mkdir(parents=True, exist_ok=True)
    probe.write_text('{"type": "Issuer"}')
    env = {"PATH": "/usr/bin:/bin", "ILMA_DB": str(db_path), "ILMA_JOBS": "off",
           "ILMA_COOKIE_KEY": secrets.token_urlsafe(48), "ILMA_SECRETS_FILE": str(tmp_path / "none.toml")}
    process, url = devserver.start(env)
    try:
        with urllib.request.urlopen(f"{url}/app/static/openbadges/{probe.name}", timeout=30) as answer:
            assert answer.headers["Content-Type"].startswith("application/json")
            assert json.loads(answer.read()) == {"type": "Issuer"}
    finally:
        devserver.stop(process)
        probe.unlink()
