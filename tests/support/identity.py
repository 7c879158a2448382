"""Resident identity numbers for tests: well-formed (with the right check digit) and distinct."""

from __future__ import annotations

import itertools

from auction_rules.eligibility import compose_id_number

_serial = itertools.count(1)


def id_number(birth: str = "19800101", region: str = "440305") -> str:
    """A fresh, valid 18-character number: region, birth date, a serial, the check digit."""
    serial = next(_serial)
    # The serial's thousands move the birth year on, so that numbers stay distinct past the 1,000th.
    year = int(birth[:4]) + serial // 1000
    return compose_id_number(region, f"{year:04d}{birth[4:]}", serial)
