"""``auction-service simulate`` end to end, through the real command line in a subprocess: the files it
writes, that every summary figure in ``figures.json`` is recomputed exactly from the auction records
next to it (a reader can check each published number), that a seed reproduces a run, and that a bad
scenario name is a clean usage error.

CI runs the small ``court-month`` scenario this way ("CI runs a small scenario end to end and checks
that the summary is recomputed exactly from the records").
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from auction_sim.records import AuctionRecord, summarize

TIMEOUT = 300  # seconds; court-month takes about 10
RECORD_FIELDS = {
    "lot_id", "court", "category", "round", "appraisal", "starting_price", "outcome", "price", "bids",
    "bidders", "registrations", "extensions", "minutes_past_end", "defaulted",
}  # fmt: skip
RUN_SPECIFIC = ("auction_id", "lot_id")  # database ids: not part of what a seed reproduces


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    out: Path

    @property
    def figures(self) -> dict[str, Any]:
        return json.loads((self.out / "figures.json").read_text(encoding="utf-8"))


def command(*args: str, out: Path | None = None) -> Run:
    """``python -m auction_cli ...`` (the same as the ``auction-service`` console script), on a fresh
    temporary SQLite database: a database named in the environment is not the simulator's to fill."""
    env = {k: v for k, v in os.environ.items() if k != "AUCTION_DATABASE_URL"}
    extra = ["--out", str(out)] if out is not None else []
    done = subprocess.run(
        [sys.executable, "-m", "auction_cli", *args, *extra],
        capture_output=True, text=True, timeout=TIMEOUT, env=env, check=False,
    )  # fmt: skip
    return Run(done.returncode, done.stdout, done.stderr, out or Path())


def simulated(tmp: pytest.TempPathFactory, scenario: str, seed: int) -> Run:
    run = command("simulate", scenario, "--seed", str(seed), out=tmp.mktemp(f"{scenario}-{seed}"))
    assert run.returncode == 0, f"simulate {scenario} --seed {seed} exited {run.returncode}:\n{run.stderr}"
    return run


@pytest.fixture(scope="module")
def hot_lot(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return simulated(tmp_path_factory, "hot-lot", 5)


@pytest.fixture(scope="module")
def hot_lot_again(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return simulated(tmp_path_factory, "hot-lot", 5)


@pytest.fixture(scope="module")
def hot_lot_other_seed(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return simulated(tmp_path_factory, "hot-lot", 6)


@pytest.fixture(scope="module")
def court_month(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return simulated(tmp_path_factory, "court-month", 3)


def reproducible(auctions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in a.items() if k not in RUN_SPECIFIC} for a in auctions]


def recomputed(figures: dict[str, Any]) -> dict[str, Any]:
    return summarize([AuctionRecord(**a) for a in figures["auctions"]])


# ----------------------------------------------------------------- the files
def test_a_run_writes_the_figures_the_table_and_the_report(hot_lot: Run) -> None:
    assert {p.name for p in hot_lot.out.iterdir()} >= {"figures.json", "auctions.csv", "report.html"}
    figures = hot_lot.figures
    assert {"scenario", "seed", "auctions", "summary", "targets"} <= set(figures)
    assert figures["scenario"] == "hot-lot"
    assert figures["seed"] == 5
    with (hot_lot.out / "auctions.csv").open(encoding="utf-8-sig", newline="") as f:
        assert len(list(csv.DictReader(f))) == len(figures["auctions"])


@pytest.mark.parametrize("run", ["hot_lot", "court_month"])
def test_every_auction_record_says_what_happened(run: str, request: pytest.FixtureRequest) -> None:
    figures = request.getfixturevalue(run).figures
    assert figures["auctions"], "a run without a single auction"
    for auction in figures["auctions"]:
        assert RECORD_FIELDS <= set(auction), f"missing {RECORD_FIELDS - set(auction)}"
        assert auction["outcome"] in ("sold", "unsold")
        assert (auction["price"] is not None) == (auction["outcome"] == "sold")


@pytest.mark.parametrize("run", ["hot_lot", "court_month"])
def test_every_summary_figure_is_recomputed_exactly_from_the_records(run: str, request: pytest.FixtureRequest) -> None:
    """The published figures are the records' figures: nothing in the summary comes from elsewhere, and
    nothing is lost in writing the records out (exact equality, floats included)."""
    figures = request.getfixturevalue(run).figures
    assert recomputed(figures) == figures["summary"]


def test_court_month_lists_lots_of_several_kinds_over_several_rounds(court_month: Run) -> None:
    """The CI scenario exercises more than one contested flat: rounds after a failure, several
    categories, unsold auctions as well as sales."""
    figures = court_month.figures
    auctions = figures["auctions"]
    assert figures["scenario"] == "court-month"
    assert len({a["category"] for a in auctions}) >= 3
    assert {a["outcome"] for a in auctions} == {"sold", "unsold"}
    assert {str(a["round"]) for a in auctions} >= {"1", "2"}
    assert figures["summary"]["auctions"] == len(auctions)


# ----------------------------------------------------------------- seeds
def test_the_same_seed_gives_the_same_run(hot_lot: Run, hot_lot_again: Run) -> None:
    """Everything but wall time and database ids is reproduced from the seed."""
    first, second = hot_lot.figures, hot_lot_again.figures
    assert second["summary"] == first["summary"]
    assert reproducible(second["auctions"]) == reproducible(first["auctions"])


def test_a_different_seed_gives_a_different_run(hot_lot: Run, hot_lot_other_seed: Run) -> None:
    assert reproducible(hot_lot_other_seed.figures["auctions"]) != reproducible(hot_lot.figures["auctions"])


# ----------------------------------------------------------------- the command line
def test_an_unknown_scenario_is_a_usage_error_in_one_line(tmp_path: Path) -> None:
    run = command("simulate", "nope", out=tmp_path / "out")
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "nope" in lines[0]
    assert "hot-lot" in lines[0]  # says what there is
    assert not (tmp_path / "out").exists()


def test_list_shows_the_shipped_scenarios() -> None:
    run = command("simulate", "--list")
    assert run.returncode == 0, run.stderr
    names = [line.split()[0] for line in run.stdout.splitlines() if line.strip()]
    assert "hot-lot" in names
    assert "court-month" in names
