"""Open Badges 2.0 with hosted verification: every credential issued is published as JSON at a stable URL under the
service's public address, with its BadgeClass, image and the Issuer profile, so that a verifier can fetch the
assertion's id and find the same assertion, its badge and its issuer (the spec's "HostedBadge" verification).

The app publishes into `static/openbadges/` beside app.py, which Streamlit serves at `/app/static/` (its static
serving is on in .streamlit/config.toml); the public address is ILMA_PUBLIC_URL. Recipients are hashed (salted
SHA-256 of the email): nothing published names a learner.
"""

from __future__ import annotations

import hashlib
import json
import struct
import uuid
import zlib
from datetime import date, datetime
from pathlib import Path

import filetype

from lib.config import PROJECT_ROOT
from lib.store.db import Database
from lib.store.files import write_atomically
from lib.store.scope import not_centre_data

CONTEXT = "https://w3id.org/openbadges/v2"
PUBLISHED_DIR = PROJECT_ROOT / "static" / "openbadges"
# Where Streamlit serves the files of static/ beside the main script.
SERVED_PATH = "app/static/openbadges"
ISSUER = {"name": "ILM (The Institute of Leadership)", "url": "https://www.i-l-m.com", "email": "assessment@i-l-m.com"}


def published_url(base_url: str, relative: str) -> str:
    return f"{base_url.rstrip('/')}/{SERVED_PATH}/{relative}"


def _default_image() -> bytes:
    """A plain ILM-blue 90×90 PNG, the BadgeClass image when the HEI gave no logo (the spec requires one)."""
    width = height = 90
    raw = b"".join(b"\x00" + bytes((0x00, 0x62, 0x9B)) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def assertion_name(template: str, enr: str) -> str:
    """The file name of one credential's assertion: stable for the badge and learner, and not their ENR."""
    return f"assertions/{uuid.uuid5(uuid.NAMESPACE_URL, f'ilm-badge/{template}/{enr}')}.json"


def recipient(email: str, template: str, enr: str) -> dict:
    salt = hashlib.sha256(f"{template}/{enr}".encode()).hexdigest()[:16]
    return {"type": "email", "hashed": True, "salt": salt,
            "identity": "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest()}


def _issued_on(value) -> str:
    day = value.date() if isinstance(value, datetime) else value
    return f"{day.isoformat() if isinstance(day, date) else day}T00:00:00Z"


@not_centre_data("what is published is public by design: recipients hashed, no learner named")
def documents(db: Database, base_url: str, check_id: int | None = None) -> dict[str, bytes]:
    """What is published, by path under the published folder: the Issuer profile, each BadgeClass and its image,
    and the assertion of every credential issued (of one release check when check_id is given: its assertions
    only)."""
    issuer_id = published_url(base_url, "issuer.json")
    published: dict[str, bytes] = {}
    if check_id is None:
        published["issuer.json"] = _json({"@context": CONTEXT, "type": "Issuer", "id": issuer_id, **ISSUER})
        # One BadgeClass (and image) per template issued: each logo is read once, not once per credential.
        for template, name, description, criteria, skills, logo in db.query_all(
                """SELECT DISTINCT ON (b.badge_template_id) b.badge_template_id, m.name, m.description, m.criteria,
                          m.skills, m.logo
                   FROM badges_issued b JOIN release_checks k ON k.id = b.check_id
                   LEFT JOIN hei_credentials m ON m.programme_id = k.programme_id
                                              AND m.badge_template_id = b.badge_template_id
                   ORDER BY b.badge_template_id, m.updated_at DESC NULLS LAST"""):
            kind = filetype.guess(logo[:8192]) if logo else None
            image = f"badges/{template}.{kind.extension if kind else 'png'}"
            published[image] = bytes(logo) if logo else _default_image()
            published[f"badges/{template}.json"] = _json({
                "@context": CONTEXT, "type": "BadgeClass", "id": published_url(base_url, f"badges/{template}.json"),
                "name": name or template, "description": description or name or template,
                "image": published_url(base_url, image), "criteria": {"narrative": criteria or description or template},
                "issuer": issuer_id, "tags": list(skills or [])})
    for template, email, enr, issued_on in db.query_all(
            """SELECT badge_template_id, email, enr, issued_on FROM badges_issued
               WHERE CAST(? AS INTEGER) IS NULL OR check_id = ? ORDER BY badge_template_id, enr""",
            [check_id, check_id]):
        path = assertion_name(template, enr)
        published[path] = _json({
            "@context": CONTEXT, "type": "Assertion", "id": published_url(base_url, path),
            "recipient": recipient(email, template, enr), "badge": published_url(base_url, f"badges/{template}.json"),
            "verification": {"type": "HostedBadge"}, "issuedOn": _issued_on(issued_on)})
    return published


def _json(document: dict) -> bytes:
    return json.dumps(document, indent=2, sort_keys=True).encode()


@not_centre_data("publishes every credential's public documents (see documents)")
def publish(db: Database, base_url: str, folder: Path = PUBLISHED_DIR) -> int:
    """Write every published document into folder (each whole, renamed into place); returns how many."""
    published = documents(db, base_url)
    for relative, data in published.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_bytes() != data:
            write_atomically(target, data)
    return len(published)
