"""Text from users passes one escaping helper before Streamlit's Markdown sees it: nothing in it can become a
link, an image, an emoji, an entity or formatting, and what shows is what was typed."""

from __future__ import annotations

import re

import pytest

from lib.ui.text import WORD_JOINER, escape_markdown

CORPUS = [
    "[Verify your ILM account](https://example.invalid).docx",
    "![p](example.invalid).pdf",
    "Report for www.example.invalid.docx",
    "WWW.EXAMPLE.INVALID",
    "see https://example.invalid/a and http://example.invalid, not https:example.invalid",
    "contact a.person@example.invalid today",
    "well done :smile: :+1: :tada:",
    ":material/home: and :red[alert]",
    "&amp; &lt;b&gt; &#169; &copy;",
    "<b>bold</b> <img src=x onerror=alert(1)>",
    "**Bold** _it_ `code` ~~gone~~ $x^2$",
    "# Heading\n- item\n1. first\n> quote",
    "a | table | row",
]
# What the browser's Markdown acts on in text after escapes are read (GFM autolink literals, emoji shortcodes).
TEXT_TRIGGERS = [re.compile(r"(?i)www\\?\."), re.compile(r"(?i)https?\\?://"), re.compile(r"[\w.+-]\\?@[\w-]"),
                 re.compile(r":[A-Za-z0-9_+\-]+\\?:")]


@pytest.mark.parametrize("text", CORPUS)
def test_nothing_a_user_typed_can_turn_into_markup(text):
    escaped = escape_markdown(text)
    for trigger in TEXT_TRIGGERS:
        assert not trigger.search(escaped), (trigger.pattern, escaped)
    for special in "[]<>*_`~$|#&":
        for position in [m.start() for m in re.finditer(re.escape(special), escaped)]:
            if (special == "&" and not re.match(r"&[#A-Za-z0-9]", escaped[position:])):
                continue
            if special in "#>" and position > 0 and escaped[position - 1] not in "\n":
                continue
            assert escaped[position - 1] == "\\", (special, escaped)


@pytest.mark.parametrize("text", CORPUS)
def test_what_shows_is_what_was_typed(text):
    shown = re.sub(r"\\(.)", r"\1", escape_markdown(text)).replace(WORD_JOINER, "").replace("  \n", "\n")
    assert shown == text
