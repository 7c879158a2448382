"""Who may register for an auction, beyond rules 7 and 8: the two restriction lists (失信被执行人 and
限制消费, kept apart, each entry with its case number) and the lot's own debtor. Plain Python: identity
numbers, the restricted categories and the lists' rows.

Sources: the SPC's *Provisions on Restricting High Consumption of Persons Subject to Enforcement*
(关于限制被执行人高消费及有关消费的若干规定, 2015 text, Art. 3): a restricted person may not buy real
estate nor vehicles not needed for business, among other things; the SPC's *Provisions on Publishing
the List of Dishonest Persons Subject to Enforcement* (失信被执行人名单, 2017 text, Art. 10: deletion on
credit restoration). The lot's own debtor may not bid for the lot (platform practice: the debtor's bid
would only delay the enforcement it is subject to).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from .errors import forbidden, invalid
from .profiles import REAL_ESTATE_CATEGORIES

# Restricted purchases (Art. 3 of the consumption-restriction provisions): real estate, vehicles, and
# vessels (a ship is a vehicle of transport, and a high-consumption purchase alike).
RESTRICTED_CATEGORIES = REAL_ESTATE_CATEGORIES | {"vehicle", "vessel"}

_ID_NUMBER = re.compile(r"^[0-9]{17}[0-9X]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def id_number_check_digit(first17: str) -> str:
    """The check character of a resident identity number (GB 11643-1999, ISO 7064 MOD 11-2)."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def compose_id_number(region: str, birth: str, serial: int) -> str:
    """A well-formed resident identity number from its parts: a six-digit region code, the birth date
    ``YYYYMMDD``, a three-digit serial (0-999), and the check character computed here. For simulated and
    test accounts; real numbers come from the person."""
    first17 = f"{region}{birth}{serial % 1000:03d}"
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError(f"region (6 digits) and birth date (YYYYMMDD) make no identity number: {first17!r}")
    return first17 + id_number_check_digit(first17)


def normalize_id_number(value: str) -> str | None:
    """The 18-character resident identity number in canonical form (upper-case ``X``), or None when it
    is not one (wrong length, characters, or check digit). Real-name verification itself is simulated:
    the number is only checked for form."""
    text = value.strip().upper()
    if not _ID_NUMBER.match(text) or not text.isascii():
        return None
    if id_number_check_digit(text[:17]) != text[17]:
        return None
    return text


def parse_id_number(value: str, field: str = "id_number") -> str:
    """``normalize_id_number`` or a 422 naming the field."""
    normalized = normalize_id_number(value)
    if normalized is None:
        raise invalid(
            "invalid_id_number",
            f"{field}: not a resident identity number (18 characters: 17 digits and a check digit or X)",
            fields=[{"field": field, "message": "not a valid resident identity number", "type": "id_number"}],
        )
    return normalized


def category_is_restricted(category: str) -> bool:
    return category in RESTRICTED_CATEGORIES


# The two lists a court keeps apart, each entry with its case number (案号): the list of dishonest
# persons subject to enforcement (失信被执行人名单) and the consumption restriction order (限制消费令).
# A person on either may not buy what the consumption-restriction provisions name (Art. 3): a court that
# lists a person as dishonest restricts their consumption too (the same provisions, Art. 1).
DISHONEST = "dishonest"
CONSUMPTION = "consumption_restriction"
LIST_NAMES: dict[str, str] = {DISHONEST: "失信被执行人名单", CONSUMPTION: "限制消费"}
LIST_WORDS: dict[str, str] = {
    DISHONEST: "the list of dishonest persons subject to enforcement (失信被执行人)",
    CONSUMPTION: "the consumption-restriction list (限制消费)",
}


@dataclass(frozen=True, slots=True)
class Restriction:
    """A person on a list as the registration check sees it."""

    court: str
    restricted_on: str
    list_kind: str = CONSUMPTION
    case_number: str | None = None


def first_restriction(found: list[Restriction]) -> Restriction | None:
    """The entry a refusal names when a person is on both lists: the dishonest-persons list, the graver."""
    return min(found, key=lambda r: r.list_kind != DISHONEST, default=None)


def check_eligibility(category: str, *, is_debtor: bool, restriction: Restriction | None) -> None:
    """Refuse a registration: the lot's own debtor (403 ``debtor_cannot_bid``), or a listed person for a
    restricted category (403 ``bidder_restricted``, naming the list, the case and the court to contact)."""
    if is_debtor:
        raise forbidden("debtor_cannot_bid", "the debtor of this lot's enforcement case may not bid for the lot")
    if restriction is not None and category_is_restricted(category):
        case = f" in case {restriction.case_number}" if restriction.case_number else ""
        raise forbidden(
            "bidder_restricted",
            f"you are on {LIST_WORDS[restriction.list_kind]} of {restriction.court}{case} since "
            f"{restriction.restricted_on} and may not bid for real estate, vehicles or vessels; contact "
            f"{restriction.court} about credit restoration (信用修复)",
            court=restriction.court,
            list=restriction.list_kind,
            list_name=LIST_NAMES[restriction.list_kind],
            case_number=restriction.case_number,
        )


# A registered bidder who became ineligible after registering (listed, or named the lot's debtor): the
# reason, by its refusal code. The service keeps one such map per auction (registration id -> code) in
# the auction's book and passes it to ``bidding.decide_bid``, so a bid needs no database read.
DEBTOR = "debtor_cannot_bid"
RESTRICTED = "bidder_restricted"


def ineligibility(category: str, *, is_debtor: bool, restricted: bool) -> str | None:
    """The refusal code a registered bidder now meets at every bid (None: still eligible). The same
    grounds as at registration (``check_eligibility``), checked again because the list and the debtor
    can change after the bidder registered."""
    if is_debtor:
        return DEBTOR
    if restricted and category_is_restricted(category):
        return RESTRICTED
    return None


def check_still_eligible(code: str | None) -> None:
    """Refuse a bid from a bidder who became ineligible after registering (403 with the ground's code)."""
    if code == DEBTOR:
        raise forbidden(DEBTOR, "you were named the debtor of this lot's enforcement case and may no longer bid")
    if code is not None:
        raise forbidden(
            RESTRICTED,
            "you were put on the list of dishonest persons subject to enforcement (失信被执行人) or the "
            "consumption-restriction list (限制消费) after registering and may no longer bid for real estate, "
            "vehicles or vessels; contact the listing court about credit restoration",
        )


def check_list_keeper(own_court: str | None, admin: bool, entries: list[tuple[int | str, str]]) -> None:
    """Entries on the list and their restoration belong to the court that listed the person (its
    decision, its case): staff of another court may neither list nor restore them; a platform
    administrator may (403 ``wrong_court`` naming each entry of another court). ``entries``: (line or
    entry id, the listing court)."""
    if admin:
        return
    foreign = [(where, court) for where, court in entries if court != own_court]
    if foreign:
        where, court = foreign[0]
        raise forbidden(
            "wrong_court",
            f"{len(foreign)} entr{'y' if len(foreign) == 1 else 'ies'} of another court (first: {where}, {court}): "
            f"only the listing court ({own_court or 'none'}) or an administrator may list or restore a person",
            rows=[{"line": w, "reason": f"listed by {c}, not by {own_court}"} for w, c in foreign[:200]],
        )


# ----------------------------------------------------------------------------- the list's CSV

# Accepted headers for each column (English or Chinese, as courts export them).
COLUMNS: dict[str, tuple[str, ...]] = {
    "id_number": ("id_number", "身份证号", "身份证号码", "证件号码"),
    "name": ("name", "姓名", "被执行人姓名"),
    "court": ("court", "执行法院", "限制法院"),
    "restricted_on": ("restricted_on", "date", "限制日期", "决定日期", "发布日期"),
}
# Optional columns (a list without them is the older form: consumption restriction, no case number).
# With a ``case_number`` column every row names its case.
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "list": ("list", "名单", "名单类型", "类别"),
    "case_number": ("case_number", "案号", "执行案号"),
}
LIST_VALUES: dict[str, str] = {
    DISHONEST: DISHONEST, "失信": DISHONEST, "失信被执行人": DISHONEST, "失信被执行人名单": DISHONEST,
    CONSUMPTION: CONSUMPTION, "限制消费": CONSUMPTION, "限消": CONSUMPTION, "限制高消费": CONSUMPTION,
    "限制消费令": CONSUMPTION,
}  # fmt: skip
# A case number as courts write it: the year in brackets, the court's code and the case, ending in 号,
# e.g. （2025）粤0106执1234号 (half-width brackets accepted).
_CASE_NUMBER = re.compile(r"^[（(]\d{4}[）)]\S{1,80}号$")
MAX_ROWS = 100_000


@dataclass(frozen=True, slots=True)
class ListedPerson:
    line: int
    id_number: str
    name: str
    court: str
    restricted_on: str  # YYYY-MM-DD
    list_kind: str = CONSUMPTION
    case_number: str | None = None


@dataclass(frozen=True, slots=True)
class BadRow:
    line: int
    reason: str


def _header_map(header: list[str]) -> tuple[dict[str, int], list[str]]:
    cleaned = [h.strip().lstrip("\ufeff").lower() for h in header]
    found: dict[str, int] = {}
    for key, names in COLUMNS.items():
        for i, h in enumerate(cleaned):
            if h in names:
                found[key] = i
                break
    missing = [k for k in COLUMNS if k not in found]
    for key, names in OPTIONAL_COLUMNS.items():
        for i, h in enumerate(cleaned):
            if h in names:
                found[key] = i
                break
    return found, missing


def _control(text: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in text)


def _cell_problems(cell: dict[str, str], today: date) -> tuple[str | None, date | None, list[str]]:
    """One row's cells checked alone: its normalised id number, its day, and what is wrong with them."""
    reasons: list[str] = []
    id_number = normalize_id_number(cell["id_number"])
    if id_number is None:
        reasons.append("id_number is not a valid resident identity number")
    for key, limit in (("name", 200), ("court", 200)):
        if not cell[key]:
            reasons.append(f"{key} is empty")
        elif len(cell[key]) > limit:
            reasons.append(f"{key} is longer than {limit} characters")
        elif _control(cell[key]):
            reasons.append(f"{key} contains control characters")
    try:
        day = date.fromisoformat(cell["restricted_on"]) if len(cell["restricted_on"]) == 10 else None
    except ValueError:
        day = None
    if day is None:
        reasons.append("restricted_on is not a date YYYY-MM-DD")
    elif day > today:
        reasons.append(f"restricted_on {day.isoformat()} is in the future")
    return id_number, day, reasons + _list_problems(cell)


def _list_problems(cell: dict[str, str]) -> list[str]:
    """The optional columns: a list that is one of the two, a case number as courts write it."""
    reasons = []
    if "list" in cell and cell["list"].lower() not in LIST_VALUES:
        reasons.append(f"list {cell['list']!r} is neither {DISHONEST} (失信被执行人) nor {CONSUMPTION} (限制消费)")
    if "case_number" in cell and not _CASE_NUMBER.match(cell["case_number"]):
        reasons.append("case_number is not a case number such as （2025）粤0106执1234号")
    return reasons


def parse_restriction_list(text: str, today: date) -> tuple[list[ListedPerson], list[BadRow]]:
    """Every row of the list, and every bad row with its line number (1 is the header) and the reason.
    The caller imports nothing unless the bad rows are none."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not any(cell.strip() for cell in rows[0]):
        return [], [BadRow(1, "the file is empty: a header row id_number,name,court,restricted_on is required")]
    columns, missing = _header_map(rows[0])
    if missing:
        return [], [BadRow(1, f"header: missing column(s) {', '.join(missing)} (id_number,name,court,restricted_on)")]
    if len(rows) - 1 > MAX_ROWS:
        return [], [BadRow(1, f"too many rows ({len(rows) - 1}); at most {MAX_ROWS} in one import")]
    good: list[ListedPerson] = []
    bad: list[BadRow] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank line
        if len(row) < len(rows[0]):
            bad.append(BadRow(line, f"{len(row)} column(s), the header has {len(rows[0])}"))
            continue
        cell = {key: row[i].strip() for key, i in columns.items()}
        id_number, day, reasons = _cell_problems(cell, today)
        kind = LIST_VALUES.get(cell.get("list", CONSUMPTION).lower(), CONSUMPTION)
        if id_number is not None and (id_number, kind) in seen:
            reasons.append(f"the same id_number on the same list as line {seen[id_number, kind]}")
        if reasons:
            bad.append(BadRow(line, "; ".join(reasons)))
            continue
        assert id_number is not None and day is not None
        seen[id_number, kind] = line
        good.append(
            ListedPerson(
                line, id_number, cell["name"], cell["court"], day.isoformat(), kind, cell.get("case_number") or None
            )
        )
    if not good and not bad:
        bad.append(BadRow(1, "the list has a header but no rows"))
    return good, bad


def check_not_excluded(excluded: bool) -> None:
    """Rule 17: a buyer who defaulted on a lot (悔拍) takes no part in its re-auction."""
    if excluded:
        raise forbidden("excluded_bidder", "you defaulted on this lot (悔拍) and may not take part in its re-auction")
