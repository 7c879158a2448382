"""docs/live-feed.md describes every message the live feed sends: a new message type in the contract
(``contract/events.py``) or the socket (``live/ws.py``) without its section in the doc fails here."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SENT_BY = [
    ROOT / "auction_service/contract/events.py",
    ROOT / "auction_service/live/ws.py",
    ROOT / "auction_service/live/client_messages.py",
]
DOC = ROOT / "docs/live-feed.md"


def message_types() -> set[str]:
    found: set[str] = set()
    for source in SENT_BY:
        found |= set(re.findall(r'"type": "([a-z_]+)"', source.read_text(encoding="utf-8")))
    return found


def test_every_message_the_feed_sends_has_its_section_in_the_doc():
    sent = message_types() - {"auth", "ping"}  # client messages named in the sources' examples
    assert {"snapshot", "bid", "status", "closed", "bid_result", "error", "pong"} <= sent
    doc = DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"^### `([a-z_]+)`", doc, flags=re.M)) | set(
        re.findall(r"^### `([a-z_]+)` and `([a-z_]+)`", doc, flags=re.M)[0]
    )
    assert sent <= documented, f"undocumented live-feed messages: {sorted(sent - documented)}"
