"""Running a file's inspection in a child process that cannot take more than its budget.

The child is forked from a small server process (multiprocessing's forkserver, which preloads the inspecting
modules), never from the app's own process with its threads and its database. It sets its own limits before it
reads a byte: address space (what it holds at start plus CHECK_MEMORY_BYTES) and CPU seconds. Whatever a
crafted file makes a parser do, the child runs out of memory or time and dies; the app only ever waits for it
and reads one small answer.
"""

from __future__ import annotations

import importlib
import multiprocessing
import multiprocessing.spawn
import resource
import signal
import traceback
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path

from lib.checks import limits
from lib.checks.verdict import Verdict, refused

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["lib.checks.inspect", "lib.checks.table_read", "lib.checks.word_preview",
                                   "lib.checks.text_extract"])
CHILD_NAME = "ilma-file-check"
_preparation_data = multiprocessing.spawn.get_preparation_data


def _preparation_without_main(name: str) -> dict:
    """What a child is told to prepare, without the parent's main script for our checks: under Streamlit the
    main module is the app itself, which a child must never run."""
    data = _preparation_data(name)
    if name == CHILD_NAME:
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
    return data


multiprocessing.spawn.get_preparation_data = _preparation_without_main

TOO_LONG = ("{name} could not be checked within the time the service allows a file: save it again (as a plain "
            "Word document or PDF) and upload that.")
TOO_BIG = ("{name} needs more memory to open than the service allows a file: save it again (as a plain Word "
           "document or PDF) and upload that.")


def _page_bytes(field: int) -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[field]) * resource.getpagesize()


def _limit(memory: int, cpu: int) -> int:
    """Cap this child's address space (what it holds now plus memory) and CPU seconds; return its RSS now."""
    start_rss = _page_bytes(1)
    address_space = _page_bytes(0) + memory
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    return start_rss


def _child(connection: Connection, path: str, extension: str, count_words: bool, memory: int, cpu: int) -> None:
    start_rss = _limit(memory, cpu)
    from lib.checks.inspect import inspect

    try:
        verdict = inspect(Path(path), extension, count_words)
    except MemoryError:
        verdict = refused(TOO_BIG)
    except RecursionError:
        verdict = refused("{name} is damaged or nested too deeply to open: it is refused.")
    except Exception:  # noqa: BLE001 - a parser failing on a crafted file refuses it; the log keeps the trace
        traceback.print_exc()
        verdict = refused("{name} is damaged: it cannot be opened. Save it again and upload that.")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    connection.send(replace(verdict, peak_rss_bytes=peak, start_rss_bytes=start_rss))
    connection.close()


def run_inspection(path: Path, extension: str, count_words: bool = True,
                   memory: int = limits.CHECK_MEMORY_BYTES, cpu: int = limits.CHECK_CPU_SECONDS) -> Verdict:
    """The file's verdict from a limited child; a child that died of its limits gives a refusal saying so."""
    return _in_child(_child, (str(path), extension, count_words, memory, cpu), limits.CHECK_WALL_SECONDS,
                     lambda: refused(TOO_LONG), lambda: refused(TOO_BIG))


TABLE_TOO_LONG = ("{name} could not be read within the time the service allows a table: save it as CSV (File > "
                  "Save As > CSV UTF-8) and upload that, or split it into smaller files.")
TABLE_TOO_BIG = ("{name} needs more memory to read than the service allows a table: save it as CSV (File > Save As "
                 "> CSV UTF-8) and upload that, or split it into smaller files.")


def _table_child(connection: Connection, path: str, extension: str, max_rows: int, memory: int, cpu: int) -> None:
    start_rss = _limit(memory, cpu)
    from lib.checks.table_read import TableRead, read_table_file

    try:
        found = read_table_file(Path(path), extension, max_rows)
    except MemoryError:
        found = TableRead(reason=TABLE_TOO_BIG)
    except RecursionError:
        found = TableRead(reason="{name} is damaged or nested too deeply to read: it is refused.")
    except Exception:  # noqa: BLE001 - a parser failing on a crafted file refuses it; the log keeps the trace
        traceback.print_exc()
        found = TableRead(reason="{name} is damaged: it cannot be read as a table. Save it again and upload that.")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    connection.send(replace(found, peak_rss_bytes=peak, start_rss_bytes=start_rss))
    connection.close()


def run_table_read(path: Path, extension: str, max_rows: int, memory: int = limits.CHECK_MEMORY_BYTES):
    """The table's cells (lib.checks.table_read.TableRead) from a limited child: its memory, and CPU seconds of
    TABLE_CPU_SECONDS plus one per MB of file; a child that died of its limits gives a refusal saying so."""
    from lib.checks.table_read import TableRead

    cpu = limits.TABLE_CPU_SECONDS + Path(path).stat().st_size // (1024 * 1024)
    return _in_child(_table_child, (str(path), extension, max_rows, memory, cpu), cpu * 3 + 10,
                     lambda: TableRead(reason=TABLE_TOO_LONG), lambda: TableRead(reason=TABLE_TOO_BIG))


def _reading_child(connection: Connection, reader: str, answer: str, args: tuple, memory: int, cpu: int,
                   too_big: str, damaged: str) -> None:
    """Run reader ('module.function') on args within the limits and send its answer (a dataclass of that module
    named answer, with a reason field); a reader that runs out of memory or fails on the file gives a reason."""
    start_rss = _limit(memory, cpu)
    module_name, function_name = reader.rsplit(".", 1)
    module = importlib.import_module(module_name)
    kind = getattr(module, answer)
    try:
        found = getattr(module, function_name)(*args)
    except MemoryError:
        found = kind(reason=too_big)
    except Exception:  # noqa: BLE001 - a reader failing on a crafted file says so; the log keeps the trace
        traceback.print_exc()
        found = kind(reason=damaged)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    connection.send(replace(found, peak_rss_bytes=peak, start_rss_bytes=start_rss))
    connection.close()


def _read_in_child(reader: str, answer: str, args: tuple, memory: int, cpu: int, too_long: str, too_big: str,
                   damaged: str):
    kind = getattr(importlib.import_module(reader.rsplit(".", 1)[0]), answer)
    return _in_child(_reading_child, (reader, answer, args, memory, cpu, too_big, damaged), limits.CHECK_WALL_SECONDS,
                     lambda: kind(reason=too_long), lambda: kind(reason=too_big))


def run_word_preview(path: Path, memory: int = limits.CHECK_MEMORY_BYTES, cpu: int = limits.CHECK_CPU_SECONDS):
    """A Word document as sanitised HTML (lib.checks.word_preview.WordPreview) from a limited child."""
    return _read_in_child(
        "lib.checks.word_preview.word_as_html", "WordPreview", (Path(path),), memory, cpu,
        "{name} could not be shown within the time the service allows: download it to read it.",
        "{name} needs more memory to show than the service allows: download it to read it.",
        "{name} cannot be shown in the page: download it to read it.")


def run_text_extract(path: Path, extension: str, memory: int = limits.CHECK_MEMORY_BYTES,
                     cpu: int = limits.CHECK_CPU_SECONDS):
    """A Word document's or PDF's paragraphs (lib.checks.text_extract.ExtractedText) from a limited child."""
    return _read_in_child(
        "lib.checks.text_extract.extract_text", "ExtractedText", (Path(path), extension), memory, cpu,
        "{name} could not be read within the time the service allows: it is not compared.",
        "{name} needs more memory to read than the service allows: it is not compared.",
        "{name} is damaged: its text cannot be read, so it is not compared.")


def _in_child(target, args: tuple, wall_seconds: float, too_long, too_big):
    """Run target(sender, *args) in a forked child and return what it sends; too_long() or too_big() when it
    died of its limits or took longer than wall_seconds."""
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(target=target, args=(sender, *args), daemon=True, name=CHILD_NAME)
    child.start()
    sender.close()
    try:
        if receiver.poll(wall_seconds):
            try:
                return receiver.recv()
            except EOFError:
                pass
        child.join(1)
        if child.exitcode is None:
            child.kill()
            child.join()
            return too_long()
        if child.exitcode in (-signal.SIGXCPU, -signal.SIGKILL):
            return too_long()
        return too_big()
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
