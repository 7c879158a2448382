"""Resident identity numbers for tests: well-formed (with the right check digit) and distinct."""

from __future__ import annotations

import itertools

from auction_rules.eligibility import id_number_check_digit

_serial = itertools.count(1)


def id_number(birth: str = "19800101", region: str = "440305") -> str:
    """A fresh, valid 18-character number: region, birth date, a serial, the check digit."""
    first17 = f"{region}{birth}{next(_serial) % 1000:03d}"
    return first17 + id_number_check_digit(first17)
