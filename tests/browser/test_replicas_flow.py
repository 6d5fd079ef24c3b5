"""The scale-out configuration as people meet it: two app processes behind HAProxy on one PostgreSQL database and one
bucket. A centre works through the balancer; its replica is killed (kill -9); the next click lands on the other
replica, where the centre is still signed in and its saved work is there. An assessor reads a PDF in the marking
page straight from the bucket, through a link signed for them."""

from __future__ import annotations

import os

import psycopg
import pytest
from playwright.sync_api import expect

from lib.config import load_settings
from lib.startup import open_database
from lib.store.balancer import REPLICA_COOKIE, start_cluster
from tests import s3server
from tests.browser.conftest import STRONG_KEY, open_page, settle, sign_in, tick_row


@pytest.fixture(scope="module")
def cluster(postgres_server, s3_server, tmp_path_factory):
    folder = tmp_path_factory.mktemp("replicas")
    with psycopg.connect(postgres_server.url(), autocommit=True) as admin:
        admin.execute("CREATE DATABASE ilma_replicas")
    env = {**os.environ, "ILMA_DATABASE_URL": postgres_server.url("ilma_replicas"), "ILMA_DB": str(folder / "unused"),
           "ILMA_COOKIE_KEY": STRONG_KEY, "ILMA_SECRETS_FILE": str(folder / "no-secrets.toml"), "ILMA_JOBS": "off",
           **s3_server.env(s3server.BUCKET, "replicas")}
    # The first start (migrations, the demo into an empty database) is done here, before the replicas start: done
    # by the first replica's first page, it took most of the sign-in's wait while the rest of the suite ran.
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            if os.environ.get(name) != value:
                patch.setenv(name, value)  # the bucket's keys are read from the environment by boto3
        open_database(load_settings(env)).db.close()
    running = start_cluster(env, replicas=2)
    running.database_url = env["ILMA_DATABASE_URL"]
    running.env = env
    yield running
    running.stop()


def _newest_pending(cluster) -> int:
    with psycopg.connect(cluster.database_url) as connection:
        return connection.execute("SELECT max(s.id) FROM submissions s JOIN centres c ON c.id = s.centre_id "
                                  "WHERE c.number = '012345' AND s.stage = 'pending'").fetchone()[0]


def _replica_of(context) -> str:
    return next(cookie["value"] for cookie in context.cookies() if cookie["name"] == REPLICA_COOKIE)


def test_a_killed_replicas_people_carry_on_on_the_other_with_their_work(cluster, browser):
    from lib.demo import DEMO_PASSWORD

    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    try:
        sign_in(page, cluster.url, "centre.demo", DEMO_PASSWORD)
        serving = _replica_of(context)
        assert serving in ("replica1", "replica2")
        open_page(page, "Pending Submission")
        tick_row(page, "pending_table")
        item = page.get_by_role("heading", name="View / Edit item").inner_text()
        assert item == f"View / Edit item {_newest_pending(cluster)}"

        cluster.kill_replica(int(serving[-1]) - 1)
        page.reload()
        settle(page)
        # The other replica answers; the session is a row of the shared database, so the cookie still holds.
        expect(page.locator(".st-key-sign_out")).to_be_visible(timeout=60_000)
        assert _replica_of(context) != serving
        # Streamlit answers the first run of a new session at a page's own address with a "Page not found" box
        # before the app has named its pages (the page itself is drawn beneath it): closed here, left for issue 24.
        page.keyboard.press("Escape")
        expect(page.get_by_role("heading", name="Pending Submission", exact=True)).to_be_visible(timeout=30_000)
        tick_row(page, "pending_table")
        expect(page.get_by_role("heading", name=item, exact=True)).to_be_visible(timeout=30_000)
        page.screenshot(path=str(cluster.folder.parent / "replica-after-kill.png"))
    finally:
        context.close()


def _pdf_item_allocated_to_the_demo_assessor(env: dict) -> int:
    """An item of the demo centre with a PDF as its evidence, accepted and allocated to assessor.demo."""
    from lib.accounts.auth import user_by_username
    from lib.centre import submitting, uploads
    from lib.centre.uploads import EMBEDDED, UnitUpload, Upload
    from lib.service import allocation, quality_check
    from lib.store.stores import open_file_store
    from tests import samples

    settings = load_settings(env)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            if os.environ.get(name) != value:
                patch.setenv(name, value)
        db, store = open_database(settings).db, open_file_store(settings)
    try:
        centre, team, assessor = (user_by_username(db, name) for name in ("centre.demo", "team.demo",
                                                                             "assessor.demo"))
        learner_id, unit = db.query_one(
            """SELECT l.id, max(u.unit_code) FROM learners l JOIN registrations r ON r.learner_id = l.id
               JOIN qualification_units u ON u.qualification_code = r.qualification_code
               WHERE l.centre_id = ? AND r.expires_on > current_date
                 AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.learner_id = l.id)
               GROUP BY l.id ORDER BY l.id LIMIT 1""", [centre.centre_id])
        [item] = uploads.upload_units(db, store, centre, [UnitUpload(
            learner_id, unit, (Upload(samples.learner_file_name(db, learner_id, extension=".pdf"),
                                      samples.pdf_document()),),
            Upload("Sheet.docx", samples.result_sheet()), EMBEDDED)])
        submitting.submit(db, centre, [item], quality_confirmed=True)
        quality_check.accept(db, team, item)
        allocation.allocate(db, team, item, assessor.id)
        return item
    finally:
        db.close()


def test_the_marking_page_reads_a_pdf_from_the_bucket_not_through_the_app(cluster, browser, s3_server):
    from lib.demo import DEMO_PASSWORD

    item = _pdf_item_allocated_to_the_demo_assessor(cluster.env)
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    try:
        sign_in(page, cluster.url, "assessor.demo", DEMO_PASSWORD)
        page.goto(f"{cluster.url}/marking?item={item}")
        settle(page)
        tick_row(page, "marking_table")
        viewer = page.locator("[class*='st-key-marking_pdf_']")
        expect(viewer.locator("canvas").first).to_be_visible(timeout=60_000)  # pdf.js has drawn its page
        from_bucket = [url for url in fetched if url.startswith(s3_server.endpoint)]
        assert from_bucket and all("X-Amz-Signature=" in url and "X-Amz-Expires=3600" in url for url in from_bucket)
        assert not [url for url in fetched if "/media/" in url and url.endswith(".pdf")]
    finally:
        context.close()
