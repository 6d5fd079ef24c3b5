"""The file naming protocol, checked before submission so a centre can fix a name before it is returned.

April 2025 policy: `Learner name-ENR(N)`, e.g. `S.Smith-ABC123(1)`; N is 1 for the original and 2
for a re-submission. The older protocol `R Jones-ABC123-012345-8697-530(1)` (initial surname -
ENR - centre number - unit code - (N)) is still accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lib.errors import Refused

CURRENT = re.compile(r"^(?P<name>[^\W\d_][\w .'’]*?)-(?P<enr>[A-Za-z0-9]+)\((?P<n>\d+)\)$")
OLDER = re.compile(
    r"^(?P<name>[^\W\d_][\w .'’]*?)-(?P<enr>[A-Za-z0-9]+)-(?P<centre>\d{6})-(?P<unit>\d{4}-\d{3})\((?P<n>\d+)\)$")
EXAMPLE = "S.Smith-ABC123(1)"


@dataclass(frozen=True)
class NameCheck:
    ok: bool
    message: str


def check_file_name(file_name: str, enr: str, resubmission: bool, centre_number: str | None = None,
                    unit_codes: tuple[str, ...] = ()) -> NameCheck:
    """Does the file follow either protocol, for this learner's ENR and this submission number?"""
    stem = Path(file_name).stem.strip()
    expected_n = 2 if resubmission else 1
    match = CURRENT.match(stem)
    older = OLDER.match(stem)
    if older:
        match = older
    if not match:
        return NameCheck(False, f"{file_name} does not follow the naming protocol: use "
                                f"Learner name-ENR(N), for example {EXAMPLE.replace('ABC123', enr)}.")
    if match["enr"].upper() != enr.upper():
        return NameCheck(False, f"{file_name} names ENR {match['enr']}, but this learner's ENR is {enr}.")
    if older and centre_number and match["centre"] != centre_number:
        return NameCheck(False, f"{file_name} names centre {match['centre']}, not your centre {centre_number}.")
    if older and unit_codes and match["unit"] not in unit_codes:
        return NameCheck(False, f"{file_name} names unit {match['unit']}, not {', '.join(unit_codes)}.")
    if int(match["n"]) < expected_n or (not resubmission and int(match["n"]) != 1):
        kind = "a re-submission" if resubmission else "an original submission"
        return NameCheck(False, f"{file_name} ends ({match['n']}) but this is {kind}: use ({expected_n}).")
    return NameCheck(True, f"{file_name} follows the naming protocol.")


class MisnamedFiles(Refused):
    """Evidence files whose names do not follow the protocol; renames maps each to the name suggested for it."""

    def __init__(self, message: str, renames: dict[str, str]):
        super().__init__(message)
        self.renames = renames


def _name_part(learner_name: str) -> str:
    """'D.Simpson' for Daniel Simpson: the first initial and the surname, in the letters the protocol allows."""
    parts = [re.sub(r"[^\w .'’-]|[\d_]", "", part).replace("-", " ").strip() for part in learner_name.split()]
    parts = [part for part in parts if part]
    if not parts:
        return "Learner"
    surname = parts[-1] if len(parts) > 1 else parts[0]
    return f"{parts[0][0]}.{surname}" if len(parts) > 1 else surname


def suggested_names(file_names: list[str], learner_name: str, enr: str, resubmission: bool,
                    centre_number: str | None = None, unit_codes: tuple[str, ...] = ()) -> dict[str, str]:
    """The protocol name for each file that does not follow it (file name -> suggestion), keeping its extension;
    a second file of one learner and extension is 'part 2', so no two files end up with one name."""
    n = 2 if resubmission else 1
    base = f"{_name_part(learner_name)}-{enr}"
    taken = {name.lower() for name in file_names
             if check_file_name(name, enr, resubmission, centre_number, unit_codes).ok}
    suggestions = {}
    for name in file_names:
        if name in suggestions or check_file_name(name, enr, resubmission, centre_number, unit_codes).ok:
            continue
        extension = Path(name).suffix.lower()
        part = 1
        while True:
            candidate = f"{base}({n}){extension}" if part == 1 else \
                f"{_name_part(learner_name)} part {part}-{enr}({n}){extension}"
            if candidate.lower() not in taken:
                break
            part += 1
        taken.add(candidate.lower())
        suggestions[name] = candidate
    return suggestions


def require_protocol_names(file_names: list[str], learner_name: str, enr: str, resubmission: bool,
                           centre_number: str | None = None, unit_codes: tuple[str, ...] = ()) -> None:
    """Refuse evidence whose names do not follow the protocol, saying why and what each should be called."""
    renames = suggested_names(file_names, learner_name, enr, resubmission, centre_number, unit_codes)
    if not renames:
        return
    reasons = " ".join(f"{check_file_name(name, enr, resubmission, centre_number, unit_codes).message} "
                       f"Suggested name: {suggestion}." for name, suggestion in renames.items())
    raise MisnamedFiles(f"Evidence must follow the file naming protocol before it is uploaded. {reasons}", renames)
