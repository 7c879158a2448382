"""Ids, offsets and seq as the public interface writes them: the ASCII digits 0-9 only, within the
database's ``integer`` columns. HTTP routes (``api/schemas.py``) and the live feed (``live/ws.py``)
parse them with this one rule.

Why: Python's ``int()`` and ``str.isdigit()`` take other scripts' digits (``int("١") == 1``: auction 1
reached through ``/auctions/%D9%A1/bids``), and a number beyond PostgreSQL's ``integer`` fails the query
(a 500) instead of naming the bad input."""

from __future__ import annotations

INT4_MAX = 2**31 - 1  # ids and seq are PostgreSQL ``integer`` columns


def plain_digits(text: str) -> bool:
    """Only the ASCII digits 0-9: no sign, no spaces, no underscores, no other script's digits."""
    return text.isascii() and text.isdigit()


def parse_count(text: str, lowest: int = 0, highest: int = INT4_MAX) -> int | None:
    """``text`` as an integer in [lowest, highest] written with plain digits; None otherwise."""
    if not plain_digits(text) or len(text) > len(str(highest)):
        return None
    value = int(text)
    return value if lowest <= value <= highest else None
