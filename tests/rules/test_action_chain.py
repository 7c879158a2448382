"""The action log's chain (auction_rules/action_chain.py): each entry commits to the one before it and to every
field of its own, so altering, removing, inserting or reordering an entry is caught; the canonical text
is fixed (pinned below) so that how the API shows an entry never changes what the chain commits to."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from auction_rules.action_chain import (
    ActionEntry,
    canonical_json,
    chain_of,
    entry_hash,
    genesis,
    verify_actions,
    verify_links,
)

AT = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)


def entry(i: int, **changes) -> ActionEntry:
    base = ActionEntry(
        chain=7,
        court_id=7,
        lot_id=3,
        auction_id=None if i == 1 else 11,
        actor_id=2,
        actor="clerk_wang",
        role="staff",
        action="lot_created" if i == 1 else "auction_suspended",
        reason=None if i == 1 else f"理由{i}",
        before=None if i == 1 else {"status": "announced"},
        after={"status": "suspended", "n": i},
        at=AT + timedelta(minutes=i),
    )
    return dataclasses.replace(base, **changes)


def chained(entries: list[ActionEntry]) -> list[tuple[int, ActionEntry, str]]:
    previous, out = genesis(7), []
    for seq, e in enumerate(entries, start=1):
        previous = entry_hash(previous, seq, e)
        out.append((seq, e, previous))
    return out


def test_an_intact_chain_verifies_to_its_head():
    rows = chained([entry(1), entry(2), entry(3)])
    report = verify_actions(7, rows)
    assert (report.valid, report.entries, report.head) == (True, 3, rows[-1][2])


@pytest.mark.parametrize(
    "field, value",
    [("actor", "someone_else"), ("reason", "改过的理由"), ("after", {"status": "live", "n": 2}), ("at", AT),
     ("auction_id", 12), ("role", "admin"), ("action", "auction_postponed")],
)  # fmt: skip
def test_altering_any_field_of_an_entry_breaks_the_chain_there(field, value):
    rows = chained([entry(1), entry(2), entry(3)])
    seq, e, stored = rows[1]
    rows[1] = (seq, dataclasses.replace(e, **{field: value}), stored)
    report = verify_actions(7, rows)
    assert (report.valid, report.first_bad_seq) == (False, 2)


def test_removing_or_reordering_entries_is_caught():
    rows = chained([entry(1), entry(2), entry(3)])
    assert verify_actions(7, [rows[0], rows[2]]).first_bad_seq == 2
    assert not verify_actions(7, [rows[1], rows[0], rows[2]]).valid
    assert not verify_actions(8, rows).valid  # another court's genesis


def test_a_part_of_a_chain_checks_each_link():
    rows = chained([entry(1), entry(2), entry(3)])
    links = [(seq, e, (rows[i - 1][2] if i else genesis(7)), h) for i, (seq, e, h) in enumerate(rows)]
    assert verify_links(links[1:]) is None
    seq, e, prev, h = links[2]
    assert verify_links([(seq, dataclasses.replace(e, reason="x"), prev, h)]) == 3


def test_the_canonical_text_is_pinned():
    assert canonical_json({"b": 1, "a": ["中", None, True]}) == '{"a":["中",null,true],"b":1}'
    assert entry_hash(genesis(7), 1, entry(1)) == "25c07d1f62d4db1fe1e89679a68f48c37135006d59f0c2a7dfc5fa06a7020dbe"


def test_floats_are_refused_in_a_state_and_courtless_actions_form_chain_0():
    with pytest.raises(ValueError):
        canonical_json({"rate": 0.5})
    assert chain_of(None) == 0 and chain_of(5) == 5
