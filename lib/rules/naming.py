"""The file naming protocol, checked before submission so a centre can fix a name before it is returned.

April 2025 policy: `Learner name-ENR(N)`, e.g. `S.Smith-ABC123(1)`; N is 1 for the original and 2
for a re-submission. The older protocol `R Jones-ABC123-012345-8697-530(1)` (initial surname -
ENR - centre number - unit code - (N)) is still accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

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
