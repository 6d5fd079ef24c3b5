"""A Word document's text as sanitised HTML, for reading evidence in the page: mammoth converts it, Ammonia (nh3)
keeps only harmless tags and attributes. It runs in the limited child of lib.checks.sandbox, as every parse of
a centre's file does."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path

import mammoth
import nh3

# What one preview may send back to the page: past it, pictures are left out, then the text is cut.
MAX_PREVIEW_BYTES = 4 * 1024 * 1024
MAX_PICTURE_BYTES = 1024 * 1024
PICTURE_TYPES = ("image/png", "image/jpeg", "image/gif")
_PICTURE_SOURCE = re.compile(r"data:image/(png|jpeg|gif);base64,[A-Za-z0-9+/=]+")


@dataclass(frozen=True)
class WordPreview:
    html: str = ""
    cut: bool = False  # the document was longer than a preview carries
    pictures_left_out: int = 0
    reason: str | None = None  # with {name} where the file's name goes
    peak_rss_bytes: int = 0
    start_rss_bytes: int = 0


def _keep_safe(attribute_tag: str, attribute: str, value: str) -> str | None:
    """Links keep web and mail addresses only; a picture's source only an inline PNG, JPEG or GIF."""
    if attribute == "src":
        return value if attribute_tag == "img" and _PICTURE_SOURCE.fullmatch(value) else None
    if attribute == "href":
        return value if value.lower().startswith(("https://", "http://", "mailto:")) else None
    return value


def sanitise(html: str) -> str:
    return nh3.clean(html, url_schemes={"http", "https", "mailto", "data"}, attribute_filter=_keep_safe,
                     attributes={"a": {"href"}, "img": {"src", "alt"}, "td": {"colspan", "rowspan"},
                                 "th": {"colspan", "rowspan"}})


def word_as_html(path: Path) -> WordPreview:
    left_out = 0
    budget = [MAX_PREVIEW_BYTES // 2]  # pictures may take at most half of what a preview carries

    def picture(image) -> dict:
        nonlocal left_out
        with image.open() as stream:
            data = stream.read(MAX_PICTURE_BYTES + 1)
        if image.content_type not in PICTURE_TYPES or len(data) > MAX_PICTURE_BYTES or len(data) * 4 // 3 > budget[0]:
            left_out += 1
            return {"alt": "[a picture not shown here: download the file to see it]"}
        encoded = base64.b64encode(data).decode("ascii")
        budget[0] -= len(encoded)
        return {"src": f"data:{image.content_type};base64,{encoded}"}

    with path.open("rb") as document:
        converted = mammoth.convert_to_html(document, convert_image=mammoth.images.img_element(picture))
    html = sanitise(converted.value)
    cut = len(html.encode("utf-8")) > MAX_PREVIEW_BYTES
    if cut:
        # Room for the tags that sanitising closes after the cut.
        html = sanitise(html.encode("utf-8")[:MAX_PREVIEW_BYTES - 4096].decode("utf-8", "ignore"))
    return WordPreview(html=html, cut=cut, pictures_left_out=left_out)
