"""Signing in as attackers and accidents reach it: bcrypt never holds the write lock, over-long names and
passwords get the wrong-password answer and write little, unknown names cost what known ones cost, parallel
guesses gain nothing, and a device cookie lets the real person in while a guesser keeps the username waiting."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta

import bcrypt
import pytest

from lib.accounts import auth, devices, passwords
from lib.demo import DEMO_PASSWORD
from lib.errors import Refused
from tests.conftest import load_user

NOW = datetime(2026, 11, 23, 10, 0)
KEY = "device-test-key-Rk3Vn8Qp2Lx6Wz0Tb4Hm7Jc1Fd5Gs9Ya"
WRONG = auth.SignInRefused("wrong_credentials", auth.WRONG_CREDENTIALS)


def test_a_write_goes_on_while_a_password_is_hashed(db, monkeypatch):
    real_check = passwords.bcrypt.checkpw
    hashing = threading.Event()

    def slow_check(password, hashed):
        hashing.set()
        time.sleep(1.0)
        return real_check(password, hashed)

    monkeypatch.setattr(passwords.bcrypt, "checkpw", slow_check)
    signer = threading.Thread(target=auth.sign_in, args=(db, "centre.demo", "not the password"))
    signer.start()
    assert hashing.wait(5)
    started = time.perf_counter()
    db.transact(None, lambda writer: writer.audit("a_normal_write", "settings"), actor_name="someone")
    waited = time.perf_counter() - started
    signer.join()
    assert waited < 0.5, f"a write waited {waited:.2f} s for a sign-in's bcrypt"


def test_over_long_usernames_and_passwords_get_the_wrong_password_answer_and_write_little(db):
    huge_name = "x" * 1_000_000
    assert auth.sign_in(db, huge_name, "a password", now=NOW) == WRONG
    assert auth.sign_in(db, "team.demo" + "y" * 5000, DEMO_PASSWORD, now=NOW) == WRONG
    long_password = "é" * 40  # 80 bytes: more than bcrypt takes
    assert auth.sign_in(db, "nobody.here", long_password, now=NOW) == WRONG
    assert auth.sign_in(db, "centre.demo", long_password, now=NOW) == WRONG
    assert auth.sign_in(db, "centre.demo", DEMO_PASSWORD + "x" * 100, now=NOW) == WRONG
    names = [row[0] for row in db.query_all("SELECT username FROM sign_in_throttle")]
    assert names and max(len(name) for name in names) <= auth.MAX_USERNAME_LENGTH
    written = db.query_all("SELECT username, after FROM audit_log WHERE action = 'sign_in_failed'")
    assert len(written) == 5
    assert max(len(name) + len(json.dumps(after)) for name, after in written) < 400


def test_a_new_password_over_72_bytes_is_refused_with_the_reason(db):
    user = load_user(db, "centre.demo")
    with pytest.raises(Refused, match="at most 72 bytes"):
        auth.change_own_password(db, user, DEMO_PASSWORD, "Correct horse battery staple " * 7, now=NOW)
    with pytest.raises(Refused, match="current password is not right"):
        auth.change_own_password(db, user, "ö" * 50, "a Fine new passphrase 2026", now=NOW)


def test_an_unknown_username_costs_what_a_real_hash_costs(db, monkeypatch):
    costs = []
    real_check = bcrypt.checkpw

    def recording(password, hashed):
        costs.append(int(hashed[4:6]))
        return real_check(password, hashed)

    monkeypatch.setattr(passwords.bcrypt, "checkpw", recording)
    auth.sign_in(db, "centre.demo", "a wrong password", now=NOW)
    auth.sign_in(db, "no.such.user", "a wrong password", now=NOW)
    auth.sign_in(db, "centre.demo", "é" * 40, now=NOW)
    known = passwords.cost_of(db.query_one("SELECT password_hash FROM users WHERE username = 'centre.demo'")[0])
    assert costs == [known, known, known]


def test_parallel_guesses_past_the_free_ones_are_refused_as_too_soon(db):
    db.transact(None, lambda writer: (
        writer.execute("INSERT INTO sign_in_throttle VALUES ('centre.demo', 4, ?, NULL)", [datetime.now()]),
        writer.audit("test", "sign_in_throttle")))
    answers = []
    start = threading.Barrier(6)

    def guess():
        start.wait()
        answers.append(auth.sign_in(db, "centre.demo", "a wrong guess").reason)

    threads = [threading.Thread(target=guess) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == ["wait"] * 5 + ["wrong_credentials"]
    assert db.query_one("SELECT failures FROM sign_in_throttle WHERE username = 'centre.demo'")[0] == 5


def test_the_owner_with_a_device_cookie_gets_in_while_a_guesser_keeps_the_username_waiting(db):
    owner = auth.sign_in(db, "team.demo", DEMO_PASSWORD, now=NOW, device_key=KEY)
    assert isinstance(owner, auth.SignedIn) and owner.device_token
    cookie = owner.device_token
    # The attacker guesses every 30 s for four hours, from a browser without the cookie.
    let_in = tried = 0
    for minute in range(0, 240):
        moment = NOW + timedelta(minutes=minute)
        auth.sign_in(db, "team.demo", "a guess", now=moment, device_key=KEY)
        auth.sign_in(db, "team.demo", "another guess", now=moment + timedelta(seconds=30), device_key=KEY)
        if minute % 15 == 7:  # the real person, from their own browser, four times an hour
            tried += 1
            answer = auth.sign_in(db, "team.demo", DEMO_PASSWORD, now=moment + timedelta(seconds=45),
                                  device_token=cookie, device_key=KEY)
            let_in += isinstance(answer, auth.SignedIn)
    assert tried == 16 and let_in == tried
    # Without the cookie, the right password waits as the guesser does: the username's delay stands.
    late = NOW + timedelta(minutes=240)
    auth.sign_in(db, "team.demo", "a guess", now=late, device_key=KEY)
    assert auth.sign_in(db, "team.demo", DEMO_PASSWORD, now=late + timedelta(seconds=1), device_key=KEY).reason == "wait"


def test_a_device_cookie_is_for_its_own_account_and_locks_after_its_own_failures(db):
    owner = auth.sign_in(db, "team.demo", DEMO_PASSWORD, now=NOW, device_key=KEY)
    cookie = owner.device_token
    assert devices.nonce_for(cookie, "team.demo", KEY, NOW) is not None
    assert devices.nonce_for(cookie, "centre.demo", KEY, NOW) is None
    assert devices.nonce_for(cookie.replace("team.demo", "centre.demo"), "centre.demo", KEY, NOW) is None
    assert devices.nonce_for(cookie, "team.demo", "another-key-entirely-0123456789abcdef", NOW) is None
    assert devices.nonce_for(cookie, "team.demo", KEY, NOW + timedelta(days=400)) is None
    for attempt in range(devices.DEVICE_FREE_FAILURES):
        answer = auth.sign_in(db, "team.demo", "wrong", now=NOW + timedelta(seconds=attempt), device_token=cookie,
                              device_key=KEY)
        assert answer == WRONG
    # The device is locked out now, and treated as unknown: the username's own count has not moved, so a right
    # password still gets in; a wrong one counts against the username.
    assert db.query_one("SELECT count(*) FROM sign_in_throttle")[0] == 0
    answer = auth.sign_in(db, "team.demo", DEMO_PASSWORD, now=NOW + timedelta(minutes=1), device_token=cookie,
                          device_key=KEY)
    assert isinstance(answer, auth.SignedIn) and answer.device_token != cookie
