"""Text that came from a user (file, batch, learner and centre names, reasons, notes, feedback, reports), shown
as the characters they typed. Streamlit's markdown, captions, alerts, headers and button labels interpret
Markdown, so a file named [Verify your account](https://…) would become a link; every such value passes
through escape_markdown first. HTML needs nothing more: Streamlit never renders it unless told to.
"""

from __future__ import annotations

import re

# Characters that start Markdown anywhere in a line: emphasis, code, links and images, HTML, tables,
# strikethrough, LaTeX, e-mail autolinks.
_ANYWHERE = re.compile(r"([\\`*_\[\]<>|~$@])")
# Streamlit's :colour[...] and :emoji: directives, and the ':' of a URL that would become a link by itself;
# entities (&amp;); the '.' of www. that starts a bare link.
_IN_CONTEXT = re.compile(r"(:(?=[A-Za-z/])|&(?=[#A-Za-z0-9])|(?<=[wW]{3})\.)")
# Headings, lists, quotes and rules at the start of a line.
_LINE_START = re.compile(r"^(\s*)([#+\-=>]|\d+(?=[.)]))", re.M)
# What the browser's Markdown turns into links or emoji after escapes are read (GFM's autolink literals and
# emoji shortcodes work on the text itself): www., http(s):, e-mail @ and :shortcode:. A WORD JOINER (U+2060,
# invisible, no width) goes inside each, so the text no longer matches and shows as typed.
WORD_JOINER = "\u2060"
_TEXT_LINKS = re.compile(r"(?i)(?<=www)(?=\\?\.)|(?<=http)(?=\\?://)|(?<=https)(?=\\?://)|(?=\\@)|(?<=:)(?=[A-Za-z0-9_+\-]+\\?:)")


def escape_markdown(text: object) -> str:
    """The text with every Markdown-significant character escaped, and line breaks kept as breaks."""
    escaped = _ANYWHERE.sub(r"\\\1", "" if text is None else str(text))
    escaped = _IN_CONTEXT.sub(r"\\\1", escaped)
    escaped = _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2) if not m.group(2).isdigit()
                              else m.group(1) + m.group(2) + "\\", escaped)
    escaped = _TEXT_LINKS.sub(WORD_JOINER, escaped)
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")

