"""The simulated market's real-name details: each simulated bidder's resident identity number, and the
announcement fields a simulated court states for its lots.

The contract knows bidders by real name: sign-up takes an identity number with a valid check character,
one account per number. A simulated bidder's number follows from its username (which follows from the
run's seed), so a run is reproducible; ``attempt`` draws another number for the rare username whose
first one another account holds already. The check character and the required announcement fields come
from the rules (``auction_rules``), never a copy.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

from auction_rules.announcement import NONE_KNOWN, REQUIRED_FIELDS
from auction_rules.eligibility import compose_id_number

# Region codes (GB/T 2260 districts) of the simulated courts' cities, for plausible-looking numbers.
REGIONS = (
    "110105", "110108", "310104", "310115", "440103", "440106", "440304", "440305", "330106", "320102",
    "510107", "420106", "500103", "610113", "370202", "350203", "430104", "210202", "120101", "340104",
)  # fmt: skip
FIRST_BIRTH = date(1950, 1, 1)
BIRTH_DAYS = 20_000  # born 1950 to 2004: adults, as bidders must be


def id_number_for(username: str, attempt: int = 0) -> str:
    """The simulated bidder's identity number: a digest of the username (and the attempt) spread over a
    region, a birth date and a serial, then the check character."""
    n = int.from_bytes(hashlib.sha256(f"{username}#{attempt}".encode()).digest()[:8], "big")
    region = REGIONS[n % len(REGIONS)]
    n //= len(REGIONS)
    born = FIRST_BIRTH + timedelta(days=n % BIRTH_DAYS)
    n //= BIRTH_DAYS
    return compose_id_number(region, born.strftime("%Y%m%d"), n % 1000)


# What a simulated court states where the lot plan says nothing (it knows of no defect or burden).
STATED = {
    "defects": NONE_KNOWN,
    "encumbrances": NONE_KNOWN,
    "taxes": "买卖双方各自承担依法应缴的税费（模拟）",
    "contact": "执行局（模拟法院）",
    "location": "见标的描述（模拟）",
}


def complete_announcement(body: dict[str, Any]) -> dict[str, Any]:
    """The lot's body with every field the announcement requires set (those given are kept)."""
    missing = {name: STATED[name] for name in REQUIRED_FIELDS if not body.get(name)}
    return body | missing
