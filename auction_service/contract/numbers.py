"""Numbers as the public interface writes them.

* Ids, offsets and seq in paths, queries and the live feed's URL: the ASCII digits 0-9 only, within the
  database's ``integer`` columns. HTTP routes (``api/schemas.py``) and the live feed (``live/ws.py``)
  parse them with this one rule. Why: Python's ``int()`` and ``str.isdigit()`` take other scripts'
  digits (``int("١") == 1``: auction 1 reached through ``/auctions/%D9%A1/bids``), and a number beyond
  PostgreSQL's ``integer`` fails the query (a 500) instead of naming the bad input.
* Integers in JSON bodies (money, counts): a JSON number whose value is a whole number is that integer,
  however it is written (``1``, ``1.0``, ``1e3``). JSON has one number type (RFC 8259 section 6), and
  JSON Schema, which the OpenAPI document speaks, calls ``1.0`` an integer, so a client that computes an
  amount in floating point and sends ``700500000.0`` meant 700500000. A number with a fraction (``1.5``)
  is still refused, and so are booleans and strings; the value is kept as a Python ``int``, never as a
  float, so money stays exact. The number is read as an IEEE 754 double, as most JSON readers (every
  browser's) read it: a literal with more digits than a double holds is what that double says."""

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


def whole_number(value: object) -> object:
    """A float with a whole-number value as that ``int`` (``2486.0`` -> ``2486``); anything else as it
    is, for the integer check that follows to accept or refuse."""
    if type(value) is float and value.is_integer():
        return int(value)
    return value
