"""The engine against reality: five real judicial bid records (tests/data/real-bid-logs/) replayed
through decide_bid.

Each CSV has the columns 状态 (成交 winner / 出局 outbid), 竞买号 (bidder code), 价格 (yuan with fen and
thousands separators) and 时间 (Beijing server time to the second), newest row first. Every lot was
scheduled from 2026-05-25 10:00 to 2026-05-26 10:00 Beijing time.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise
from pathlib import Path

import pytest

from auction_rules.bidding import AuctionState, Bidder, PlacedBid, close, decide_bid, effective_status
from auction_rules.profiles import JUDICIAL_2016

# The real bid records, kept with the tests, so that the suite needs nothing outside the repo.
LOG_DIR = Path(__file__).resolve().parents[1] / "data" / "real-bid-logs"
BEIJING = timezone(timedelta(hours=8))
START = datetime(2026, 5, 25, 10, 0, tzinfo=BEIJING)
SCHEDULED_END = datetime(2026, 5, 26, 10, 0, tzinfo=BEIJING)
FIVE_MINUTES = timedelta(minutes=5)
# The increment of each lot, in yuan, from the README of the records.
INCREMENT_YUAN = {"lot1": 46_000, "lot2": 14_000, "lot3": 5_000, "lot4": 38_000, "lot5": 14_000}
LOTS = sorted(INCREMENT_YUAN)

YUAN = re.compile(r"(\d{1,3}(?:,\d{3})*)\.(\d{2})")


def yuan_to_fen(text: str) -> int:
    """'9,244,399.94' -> 924439994, exactly (no float on the way)."""
    match = YUAN.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a yuan amount with 2 decimals: {text!r}")
    return int(match.group(1).replace(",", "")) * 100 + int(match.group(2))


def beijing_time(text: str) -> datetime:
    """'2026年05月26日 10:22:18' (UTC+8) -> an aware UTC datetime."""
    return datetime.strptime(text.strip(), "%Y年%m月%d日 %H:%M:%S").replace(tzinfo=BEIJING).astimezone(UTC)


@dataclass(frozen=True)
class Row:
    status: str
    code: str
    amount: int
    at: datetime


def log_dir() -> Path:
    if not LOG_DIR.is_dir():
        pytest.fail(f"the real bid records are missing: expected a directory at {LOG_DIR}")
    return LOG_DIR


def read_lot(lot: str) -> list[Row]:
    """The lot's bids, oldest first (the file lists them newest first)."""
    path = log_dir() / f"{lot}.csv"
    if not path.is_file():
        pytest.fail(f"the real bid record {path} is missing")
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ["状态", "竞买号", "价格", "时间"], f"{path}: unexpected columns"
        rows = [Row(r["状态"], r["竞买号"], yuan_to_fen(r["价格"]), beijing_time(r["时间"])) for r in reader]
    rows.reverse()
    return rows


@dataclass
class Replay:
    rows: list[Row]
    increment: int
    states: list[AuctionState]  # the state after each bid
    placed: list[PlacedBid]

    @property
    def final(self) -> AuctionState:
        return self.states[-1]


def replay(lot: str) -> Replay:
    rows = read_lot(lot)
    increment = INCREMENT_YUAN[lot] * 100
    state = AuctionState(
        id=int(lot.removeprefix("lot")),
        status="announced",
        start_at=START.astimezone(UTC),
        end_at=SCHEDULED_END.astimezone(UTC),
        scheduled_end_at=SCHEDULED_END.astimezone(UTC),
        starting_price=rows[0].amount,
        increment=increment,
    )
    registrations: dict[str, Bidder] = {}
    states, placed = [], []
    for i, row in enumerate(rows):
        bidder = registrations.setdefault(row.code, Bidder(len(registrations) + 1, row.code))
        try:
            state, bid = decide_bid(state, bidder, row.amount, row.at, JUDICIAL_2016)
        except Exception as exc:
            pytest.fail(f"{lot}: recorded bid #{i + 1} {row} was refused: {exc!r}")
        states.append(state)
        placed.append(bid)
    return Replay(rows, increment, states, placed)


# --- the parsing helpers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fen"),
    [("9,244,399.94", 924_439_994), ("14,534,399.94", 1_453_439_994), ("1,000.05", 100_005), ("12.30", 1_230)],
)
def test_yuan_amounts_convert_to_fen_exactly(text, fen):
    assert yuan_to_fen(text) == fen


@pytest.mark.parametrize("text", ["9244399.9", "9,244,399", "9.244.399,94", "-12.00", "1,0000.00"])
def test_malformed_yuan_amounts_are_rejected(text):
    with pytest.raises(ValueError):
        yuan_to_fen(text)


def test_beijing_times_convert_to_utc():
    assert beijing_time("2026年05月26日 10:22:18") == datetime(2026, 5, 26, 2, 22, 18, tzinfo=UTC)
    assert beijing_time("2026年05月26日 01:29:42") == datetime(2026, 5, 25, 17, 29, 42, tzinfo=UTC)


def test_the_record_directory_holds_the_five_lots():
    assert sorted(p.stem for p in log_dir().glob("*.csv")) == LOTS


# --- every lot replayed -------------------------------------------------------------------------------


@pytest.mark.parametrize("lot", LOTS)
def test_the_record_lists_bids_newest_first_within_the_bidding_period(lot):
    rows = read_lot(lot)
    assert all(a.at <= b.at for a, b in pairwise(rows))
    assert rows[0].at >= START
    assert all(a.amount < b.amount for a, b in pairwise(rows))


@pytest.mark.parametrize("lot", LOTS)
def test_every_recorded_bid_is_accepted_by_the_engine(lot):
    result = replay(lot)
    assert result.final.seq == len(result.rows)
    assert [p.seq for p in result.placed] == list(range(1, len(result.rows) + 1))
    assert [p.amount for p in result.placed] == [r.amount for r in result.rows]
    assert [p.bidder_code for p in result.placed] == [r.code for r in result.rows]


@pytest.mark.parametrize("lot", LOTS)
def test_every_recorded_bid_after_the_first_is_a_whole_number_of_increments_up(lot):
    result = replay(lot)
    for before, after in pairwise(result.rows):
        steps, remainder = divmod(after.amount - before.amount, result.increment)
        assert remainder == 0
        assert steps >= 1


@pytest.mark.parametrize("lot", LOTS)
def test_the_winner_is_the_bidder_marked_成交(lot):
    result = replay(lot)
    winners = [r for r in result.rows if r.status == "成交"]
    assert len(winners) == 1
    assert winners[0] is result.rows[-1]
    assert {r.status for r in result.rows[:-1]} == {"出局"}
    assert result.final.leader_code == winners[0].code
    assert result.final.current_price == winners[0].amount


@pytest.mark.parametrize("lot", LOTS)
def test_each_lot_ran_past_its_scheduled_end_and_ended_five_minutes_after_its_last_bid(lot):
    result = replay(lot)
    last_bid = result.rows[-1].at
    end_before_last_bid = result.states[-2].end_at
    # what the data shows for every lot: the last bid came within the last five minutes ...
    assert end_before_last_bid - last_bid < FIVE_MINUTES
    assert last_bid > SCHEDULED_END
    # ... so the end became that bid's time + 5 minutes
    assert result.final.end_at == last_bid + FIVE_MINUTES
    assert result.final.end_at > result.final.scheduled_end_at
    assert effective_status(result.final, result.final.end_at - timedelta(milliseconds=1)) == "live"
    closed = close(result.final, result.final.end_at)
    assert closed.status == "sold"
    assert closed.closed_at == last_bid + FIVE_MINUTES
    assert closed.leader_code == result.rows[-1].code


@pytest.mark.parametrize("lot", LOTS)
def test_an_extension_is_counted_exactly_for_the_bids_with_less_than_five_minutes_left(lot):
    result = replay(lot)
    ends_before = [SCHEDULED_END.astimezone(UTC)] + [s.end_at for s in result.states[:-1]]
    late = [end - row.at < FIVE_MINUTES for row, end in zip(result.rows, ends_before, strict=True)]
    assert [p.extended for p in result.placed] == late
    assert result.final.extension_count == sum(late)
    assert result.final.extension_count >= 15  # "15-60 extensions" in the domain digest


@pytest.mark.parametrize("lot", LOTS)
def test_no_gap_between_bids_after_the_scheduled_end_reaches_five_minutes(lot):
    rows = read_lot(lot)
    after_end = [r.at for r in rows if r.at >= SCHEDULED_END]
    assert after_end, "every lot had bids after its scheduled end"
    assert after_end[0] - SCHEDULED_END < FIVE_MINUTES  # the first one came while the auction was extended
    assert all(b - a < FIVE_MINUTES for a, b in pairwise(after_end))


def test_the_records_match_the_readme_summary():
    replays = {lot: replay(lot) for lot in LOTS}
    bids = {lot: len(r.rows) for lot, r in replays.items()}
    bidders = {lot: len({row.code for row in r.rows}) for lot, r in replays.items()}
    assert (min(bids.values()), max(bids.values())) == (22, 74)
    assert (min(bidders.values()), max(bidders.values())) == (3, 12)
    assert max(r.final.end_at for r in replays.values()) == datetime(2026, 5, 26, 11, 29, tzinfo=BEIJING)
    assert replays["lot1"].rows[0].amount == yuan_to_fen("9,244,399.94")


def test_two_bids_within_the_same_second_are_replayed_in_the_records_order():
    # lot5 holds two consecutive bids stamped 10:05:59; the older (lower) one is listed below the newer
    rows = read_lot("lot5")
    same_second = [(a, b) for a, b in pairwise(rows) if a.at == b.at]
    assert len(same_second) == 1
    first, second = same_second[0]
    assert first.amount < second.amount
    assert first.code != second.code
