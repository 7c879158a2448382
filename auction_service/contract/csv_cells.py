"""CSV that is safe to open in a spreadsheet: the one writer every CSV the service produces goes through.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel,
LibreOffice and others as a formula (``=HYPERLINK(...)``, ``=1+2+cmd|...``, ``@SUM(1+1)``): text a bidder
or a clerk typed (a suspension's reason, a court's name) must not run on the reader's machine. OWASP's
rule: such a cell is written with a single quote before it, which the spreadsheet shows as text.

Numbers stay numbers: a value that is a plain decimal number (``-5``, ``-0.125``, as the statistics
write a fall from one year to the next) cannot be a formula and is written as it is, so a numeric
column still sums.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def safe_cell(value: Any) -> Any:
    """``value`` as it may be written to a CSV cell: text that a spreadsheet would run gets a ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose every cell passes through ``safe_cell``."""

    def __init__(self, out: Any, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter:
    """``csv.DictWriter`` whose every value passes through ``safe_cell``."""

    def __init__(self, out: Any, fieldnames: list[str], **options: Any) -> None:
        self._writer = csv.DictWriter(out, fieldnames=fieldnames, **options)

    def writeheader(self) -> None:
        self._writer.writeheader()

    def writerow(self, row: Mapping[str, Any]) -> None:
        self._writer.writerow({key: safe_cell(value) for key, value in row.items()})
