"""A PDF: it must open and have pages, and carry no active content.

Refused as active content: JavaScript anywhere (/JS, /JavaScript), /Launch actions, an /OpenAction or /AA
(additional actions) that runs an action other than going to a page, embedded files (/EmbeddedFile,
/EmbeddedFiles, /FileAttachment annotations), XFA forms, rich media. Every object in the file is looked at,
so it does not matter where the content hides (object streams included: pypdf decodes names, so /J#61vaScript
is /JavaScript). pypdf's caps on what one stream may decode to are lowered, and the check runs in a child
process with a memory and CPU limit.
"""

from __future__ import annotations

import re
from contextlib import suppress
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from lib.checks import limits
from lib.checks.evidence_text import KeptText
from lib.checks.verdict import Verdict, refused
from lib.checks.word_count import WordCounter

ACTIVE_KEYS = {"/JS": "JavaScript", "/JavaScript": "JavaScript", "/EmbeddedFiles": "embedded files",
               "/EmbeddedFile": "embedded files", "/XFA": "an XFA form", "/RichMedia": "rich media"}
# Actions that only move within the document are harmless; anything else runs or fetches something.
HARMLESS_ACTIONS = {"/GoTo", "/Named", "/Thread"}
ACTIVE_TYPES = {"/Launch": "a Launch action", "/JavaScript": "JavaScript", "/FileAttachment": "embedded files",
                "/EmbeddedFile": "embedded files", "/RichMedia": "rich media", "/ImportData": "an ImportData action",
                "/SubmitForm": "a SubmitForm action", "/GoToE": "embedded files"}
RESAVE = (" Centres cannot remove it by renaming: print the document to a new PDF (Print > Save as PDF), or "
          "export it again from Word without attachments or scripts, and upload that.")


def _action_problem(action) -> str | None:
    action = action.get_object() if isinstance(action, IndirectObject) else action
    if isinstance(action, ArrayObject):
        return None  # an explicit destination (/OpenAction [page /Fit]): no action runs
    if isinstance(action, DictionaryObject):
        kind = action.get("/S")
        if kind is not None and kind not in HARMLESS_ACTIONS:
            return ACTIVE_TYPES.get(kind, f"an action that runs when it is opened ({kind})")
    return None


def _dictionary_problem(dictionary: DictionaryObject) -> str | None:
    for key in dictionary:
        if key in ACTIVE_KEYS:
            return ACTIVE_KEYS[key]
    for key in ("/S", "/Subtype", "/Type"):
        value = dictionary.get(key)
        if isinstance(value, NameObject) and value in ACTIVE_TYPES:
            return ACTIVE_TYPES[value]
    if "/OpenAction" in dictionary:
        problem = _action_problem(dictionary["/OpenAction"])
        if problem:
            return problem
    additional = dictionary.get("/AA")
    if additional is not None:
        additional = additional.get_object()
        if isinstance(additional, DictionaryObject):
            for action in additional.values():
                problem = _action_problem(action)
                if problem:
                    return problem
    return None


def _walk(value, seen: set, budget: list[int]) -> str | None:
    """Look at value and everything inside it, each indirect object once."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            reference = (item.idnum, item.generation)
            if reference in seen:
                continue
            seen.add(reference)
            budget[0] -= 1
            if budget[0] < 0:
                raise OverflowError
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            problem = _dictionary_problem(item)
            if problem:
                return problem
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return None


def _active_content(reader: PdfReader) -> str | None:
    seen: set = set()
    budget = [limits.PDF_MAX_OBJECTS]
    problem = _walk(reader.trailer, seen, budget)
    if problem:
        return problem
    # Objects that nothing points to are still in the file, and some readers open them.
    references = [(number, generation) for generation, objects in reader.xref.items() for number in objects]
    references += [(number, 0) for number in reader.xref_objStm]
    for index, (number, generation) in enumerate(references):
        problem = _walk(IndirectObject(number, generation, reader), seen, budget)
        if problem:
            return problem
        if index % 256 == 255:
            reader.resolved_objects.clear()  # pypdf keeps every object it parsed; the walk needs none of them again
    return None


# A second look at the raw bytes outside streams, for what a viewer's repair might find where pypdf gives up:
# every name token, #xx escapes decoded, against the names that are active wherever they stand.
RAW_ACTIVE = {b"/JS": "JavaScript", b"/JavaScript": "JavaScript", b"/Launch": "a Launch action",
              b"/EmbeddedFile": "embedded files", b"/EmbeddedFiles": "embedded files", b"/XFA": "an XFA form",
              b"/RichMedia": "rich media", b"/ImportData": "an ImportData action", b"/SubmitForm": "a SubmitForm action",
              b"/GoToE": "embedded files", b"/FileAttachment": "embedded files"}
NAME_TOKEN = re.compile(rb"/[^\x00\t\n\f\r /<>\[\]()%{}]{1,127}")
STREAM_START = re.compile(rb"stream\r?\n")
MARGIN = 256


def _decoded(name: bytes) -> bytes:
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), name)


def raw_active_content(path: Path) -> str | None:
    """Active names in the file's bytes outside stream data, read in chunks (never the whole file at once)."""
    inside_stream = False
    carry = b""
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(1024 * 1024)
            data = carry + chunk
            last = not chunk
            limit = len(data) if last else max(0, len(data) - MARGIN)
            position = 0
            while position < limit:
                if inside_stream:
                    end = data.find(b"endstream", position)
                    if end < 0 or end >= limit:
                        position = limit if end < 0 else end
                        break
                    inside_stream, position = False, end + len(b"endstream")
                    continue
                start = STREAM_START.search(data, position)
                segment_end = start.start() if start and start.start() < limit else limit
                for token in NAME_TOKEN.finditer(data, position, segment_end):
                    problem = RAW_ACTIVE.get(_decoded(token.group()))
                    if problem:
                        return problem
                if start and start.start() < limit:
                    inside_stream, position = True, start.end()
                else:
                    position = limit
            if last:
                return None
            carry = data[position:]


def inspect_pdf(path: Path, count_words: bool, deadline) -> Verdict:
    from pypdf import apply_configuration

    with apply_configuration(
        zlib_maximum_output_length=limits.PDF_MAX_STREAM_OUTPUT,
        maximum_declared_stream_length=limits.PDF_MAX_STREAM_OUTPUT,
        array_based_stream_maximum_output_length=limits.PDF_MAX_STREAM_OUTPUT,
        lzw_maximum_output_length=limits.PDF_MAX_STREAM_OUTPUT,
        run_length_maximum_output_length=limits.PDF_MAX_STREAM_OUTPUT,
        jbig2_maximum_output_length=limits.PDF_MAX_STREAM_OUTPUT,
        brotli_maximum_output_length=limits.PDF_MAX_STREAM_OUTPUT,
        image_maximum_buffer_size=limits.PDF_MAX_STREAM_OUTPUT,
    ), open(path, "rb") as handle:
        try:
            reader = PdfReader(handle, strict=False)
            if reader.is_encrypted:
                return refused("{name} is password-protected: save it without a password and upload that.")
            pages = len(reader.pages)
            problem = _active_content(reader) or raw_active_content(path)
        except OverflowError:
            return refused("{name} holds more objects than a document should: it cannot be checked.")
        except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError, AttributeError,
                IndexError, AssertionError, LookupError):
            return refused("{name} is damaged or not really a PDF: it cannot be opened.")
        except Exception as error:  # noqa: BLE001 - pypdf's own limit errors and parser failures on a crafted file
            if "limit" in str(error).lower() or "exceed" in str(error).lower():
                return refused("{name} expands far beyond its size (a compressed 'bomb'): it is refused.")
            return refused("{name} is damaged or not really a PDF: it cannot be opened.")
        if problem:
            return refused("{name} contains " + problem + ", which could run when it is opened: it is refused." + RESAVE)
        if pages == 0:
            return refused("{name} has no pages.")
        if not count_words:
            return Verdict(True)
        counter = WordCounter(limits.WORD_CAP)
        kept = KeptText()
        out_of_time = False
        for page in reader.pages:
            with suppress(Exception):  # a page whose text cannot be read adds no words
                page_text = page.extract_text() or ""
                counter.feed(page_text)
                kept.feed(page_text)
            counter.gap()
            kept.gap()
            if counter.capped:
                break
            if deadline():
                out_of_time = True
                break
    samples, not_compared = kept.fingerprint(counter.words, counter.capped or out_of_time)
    return Verdict(True, words=counter.words, words_capped=counter.capped or out_of_time, samples=samples,
                   not_compared=not_compared)
