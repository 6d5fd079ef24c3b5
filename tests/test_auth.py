from datetime import datetime, timedelta

import pytest

from lib.accounts import auth
from lib.accounts.passwords import check_password, hash_password
from lib.demo import DEMO_PASSWORD
from tests.conftest import load_user

NOW = datetime(2026, 11, 23, 10, 0)


def audit_actions(db, user_id=None):
    rows = db.query_all("SELECT action FROM audit_log WHERE user_id IS NOT DISTINCT FROM ? ORDER BY id", [user_id])
    return [r[0] for r in rows]


def test_right_password_signs_in_and_opens_a_session(db):
    outcome = auth.sign_in(db, "Centre.Demo ", DEMO_PASSWORD, now=NOW)
    assert isinstance(outcome, auth.SignedIn)
    assert outcome.user.username == "centre.demo" and outcome.user.centre_number == "012345"
    assert auth.resume_session(db, outcome.token, now=NOW + timedelta(minutes=5)) == outcome.user
    stored = db.query_one("SELECT token_hash FROM sessions")[0]
    assert stored != outcome.token and stored == auth.token_hash(outcome.token)


def test_wrong_password_and_unknown_user_get_the_same_message(db):
    wrong = auth.sign_in(db, "centre.demo", "not the password", now=NOW)
    unknown = auth.sign_in(db, "nobody.here", "not the password", now=NOW)
    assert wrong == unknown == auth.SignInRefused("wrong_credentials", auth.WRONG_CREDENTIALS)


def failures_until_refused(db, username, now):
    """Wrong passwords until the answer is no longer 'wrong credentials'; the answers in order."""
    answers = []
    for _ in range(8):
        answers.append(auth.sign_in(db, username, "wrong", now=now))
        if answers[-1].reason != "wrong_credentials":
            break
    return answers


def test_a_known_and_an_unknown_username_are_throttled_alike(db):
    known = failures_until_refused(db, "centre.demo", NOW)
    unknown = failures_until_refused(db, "nobody.here", NOW)
    assert [a.reason for a in known] == [a.reason for a in unknown] == ["wrong_credentials"] * 5 + ["wait"]
    assert known[-1].message == unknown[-1].message
    assert "wait 5 seconds" in known[-1].message


def test_the_delay_grows_but_never_locks_anyone_out_for_more_than_a_minute(db):
    now = NOW
    for _ in range(5):
        auth.sign_in(db, "team.demo", "wrong", now=now)
    waits = []
    for _ in range(8):
        refusal = auth.sign_in(db, "team.demo", "wrong", now=now)
        assert refusal.reason == "wait"
        waits.append(int(refusal.message.split("wait ")[1].split(" second")[0]))
        now += timedelta(seconds=waits[-1])
        assert auth.sign_in(db, "team.demo", "wrong", now=now).reason == "wrong_credentials"
    assert waits == [5, 10, 20, 40, 60, 60, 60, 60]
    # An attacker keeping the delay at its cap costs the real person one minute, then the right password works.
    assert auth.sign_in(db, "team.demo", DEMO_PASSWORD, now=now).reason == "wait"
    assert isinstance(auth.sign_in(db, "team.demo", DEMO_PASSWORD, now=now + timedelta(seconds=61)), auth.SignedIn)
    assert db.query_one("SELECT count(*) FROM sign_in_throttle WHERE username = 'team.demo'")[0] == 0


def test_a_success_resets_the_failure_count(db):
    for _ in range(4):
        auth.sign_in(db, "centre.demo", "wrong", now=NOW)
    assert isinstance(auth.sign_in(db, "centre.demo", DEMO_PASSWORD, now=NOW), auth.SignedIn)
    assert [a.reason for a in failures_until_refused(db, "centre.demo", NOW)] == ["wrong_credentials"] * 5 + ["wait"]


def test_usernames_nobody_got_wrong_for_a_day_are_forgotten(db):
    for number in range(20):
        auth.sign_in(db, f"random{number}", "wrong", now=NOW)
    auth.sign_in(db, "centre.demo", "wrong", now=NOW + timedelta(days=1, minutes=1))
    assert db.query_all("SELECT username FROM sign_in_throttle") == [("centre.demo",)]


def test_a_closed_account_is_refused_with_the_reason(db):
    outcome = auth.sign_in(db, "closed.demo", DEMO_PASSWORD, now=NOW)
    assert outcome.reason == "closed"
    assert "closed on" in outcome.message and "ILM Assessment Team" in outcome.message


def test_a_blocked_centre_is_refused_with_the_reason(db):
    outcome = auth.sign_in(db, "blocked.demo", DEMO_PASSWORD, now=NOW)
    assert outcome.reason == "centre_blocked"
    assert "067890" in outcome.message and "unpaid" in outcome.message


def test_closed_account_with_a_wrong_password_does_not_say_it_is_closed(db):
    assert auth.sign_in(db, "closed.demo", "wrong", now=NOW).reason == "wrong_credentials"


def test_signing_out_makes_the_token_worthless(db):
    signed = auth.sign_in(db, "team.demo", DEMO_PASSWORD, now=NOW)
    auth.sign_out(db, signed.user, signed.token, now=NOW + timedelta(minutes=1))
    ended = auth.resume_session(db, signed.token, now=NOW + timedelta(minutes=2))
    assert ended == auth.SessionEnded("signed_out", "You have signed out.")
    assert auth.resume_session(db, "a made-up token", now=NOW) is None


def test_a_second_sign_in_ends_the_first_as_a_security_event(db):
    first = auth.sign_in(db, "centre.demo", DEMO_PASSWORD, now=NOW)
    second = auth.sign_in(db, "centre.demo", DEMO_PASSWORD, now=NOW + timedelta(minutes=1))
    assert second.ended_other_sessions == 1
    ended = auth.resume_session(db, first.token, now=NOW + timedelta(minutes=2))
    assert ended.reason == "signed_in_elsewhere" and "another browser" in ended.message
    assert auth.resume_session(db, second.token, now=NOW + timedelta(minutes=2)) == second.user
    event = db.query_one("SELECT after FROM audit_log WHERE action = 'security_event' AND user_id = ?",
                         [first.user.id])
    assert event is not None and "simultaneous sign-in" in event[0]


def test_sessions_expire(db):
    signed = auth.sign_in(db, "centre.demo", DEMO_PASSWORD, now=NOW)
    assert auth.resume_session(db, signed.token, now=NOW + timedelta(hours=13)).reason == "expired"


def test_blocking_a_centre_ends_its_live_sessions(db):
    signed = auth.sign_in(db, "centre.demo", DEMO_PASSWORD, now=NOW)
    db.query_one("UPDATE centres SET status = 'blocked', blocked_reason = 'missed payment' WHERE number = '012345'")
    ended = auth.resume_session(db, signed.token, now=NOW)
    assert ended.reason == "centre_blocked" and "missed payment" in ended.message
    assert auth.resume_session(db, signed.token, now=NOW).reason == "centre_blocked"


def test_every_sign_in_attempt_is_audited(db):
    user = load_user(db, "centre.demo")
    auth.sign_in(db, "centre.demo", "wrong", now=NOW)
    auth.sign_in(db, "centre.demo", DEMO_PASSWORD, now=NOW)
    assert audit_actions(db, user.id)[-2:] == ["sign_in_failed", "sign_in"]
    rows = db.query_all("SELECT entity_id FROM audit_log WHERE action IN ('sign_in', 'sign_in_failed')")
    assert {r[0] for r in rows} == {str(user.id)}


def test_password_hashes_are_bcrypt_and_checked():
    hashed = hash_password("a long enough password", rounds=4)
    assert hashed.startswith("$2b$04$")
    assert check_password("a long enough password", hashed)
    assert not check_password("another password", hashed)
    assert not check_password("anything", "not a hash")
    with pytest.raises(ValueError, match="at least 10"):
        hash_password("short")


def test_library_hasher_accepts_our_hashes():
    from streamlit_authenticator import Hasher

    assert Hasher.check_pw("a long enough password", hash_password("a long enough password", rounds=4))
