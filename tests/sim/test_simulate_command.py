"""``auction-service simulate`` end to end, through the real command line in a subprocess: the files it
writes, that every summary figure in ``figures.json`` is recomputed exactly from the auction records
next to it (a reader can check each published number), that a seed reproduces a run, and that a bad
scenario name is a clean usage error.

CI runs the small ``court-month`` scenario this way ("CI runs a small scenario end to end and checks
that the summary is recomputed exactly from the records").
"""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import json
import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from auction_cli import simulate as simulate_module
from auction_cli.simulate import recompute, records_by_run
from auction_sim.market import clock_start
from auction_sim.platform import service_level
from auction_sim.records import summarize
from auction_sim.scenario import LEVELS, load

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
def hot_lot_runs(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Three runs on two worker processes."""
    out = tmp_path_factory.mktemp("hot-lot-runs")
    run = command("simulate", "hot-lot", "--seed", "5", "--runs", "3", "--workers", "2", out=out)
    assert run.returncode == 0, run.stderr
    return run


@pytest.fixture(scope="module")
def court_month(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return simulated(tmp_path_factory, "court-month", 3)


def reproducible(auctions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in a.items() if k not in RUN_SPECIFIC} for a in auctions]


def recomputed(figures: dict[str, Any]) -> dict[str, Any]:
    """The first run's summary from figures.json's records alone (rows carry their run and seed)."""
    return summarize(records_by_run(figures["auctions"])[0])


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
        assert auction["run"] == 1 and auction["seed"] == figures["seed"]
        assert auction["outcome"] in ("sold", "unsold")
        assert (auction["price"] is not None) == (auction["outcome"] == "sold")


@pytest.mark.parametrize("run", ["hot_lot", "court_month"])
def test_every_summary_figure_is_recomputed_exactly_from_the_records(run: str, request: pytest.FixtureRequest) -> None:
    """The published figures are the records' figures: nothing in the summary comes from elsewhere, and
    nothing is lost in writing the records out (exact equality, floats included)."""
    figures = request.getfixturevalue(run).figures
    assert recomputed(figures) == figures["summary"]


def test_several_runs_keep_every_run_s_records_tagged_by_run_and_seed(hot_lot_runs: Run) -> None:
    figures = hot_lot_runs.figures
    assert figures["runs"] == 3
    tags = [(a["run"], a["seed"]) for a in figures["auctions"]]
    assert sorted(set(tags)) == list(zip([1, 2, 3], figures["seeds"], strict=True))  # one flat per run
    assert figures["seeds"][0] == 5
    with (hot_lot_runs.out / "auctions.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(int(r["run"]), int(r["seed"])) for r in rows] == tags


def test_the_aggregate_and_the_targets_are_recomputed_from_figures_json(hot_lot_runs: Run) -> None:
    """A reader holding figures.json alone gets every run's summary, each figure's mean and interval over
    the runs, and each target's verdict back, exactly."""
    figures = hot_lot_runs.figures
    again = json.loads(json.dumps(recompute(figures, load("hot-lot"))))
    assert again["summaries"] == figures["summaries"]
    assert again["aggregate"] == figures["aggregate"]
    assert again["targets"] == figures["targets"]
    for target in figures["targets"]:
        assert {"mean", "low", "high", "band", "met", "per", "source"} <= set(target)
    assert "targets over 3 run(s)" in hot_lot_runs.stdout


def test_court_month_lists_lots_of_several_kinds_over_several_rounds(court_month: Run) -> None:
    """The CI scenario exercises more than one contested flat: rounds after a failure, several
    categories, unsold auctions as well as sales."""
    figures = court_month.figures
    auctions = figures["auctions"]
    assert figures["scenario"] == "court-month"
    assert len({a["category"] for a in auctions}) >= 3
    assert {a["outcome"] for a in auctions} == {"sold", "unsold"}
    assert {str(a["round"]) for a in auctions} >= {"1", "2"}
    # a sale that ended in 悔拍 counts as neither sold nor unsold (the service's rule): it is not an ended auction
    assert figures["summary"]["auctions"] == len([a for a in auctions if not a["defaulted"]])


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


# ----------------------------------------------------------------- the Python API
class CountingPool(ProcessPoolExecutor):
    """The worker pool, counting what it was given (in this process)."""

    submitted = 0

    def submit(self, *args: Any, **kwargs: Any) -> Any:
        CountingPool.submitted += 1
        return super().submit(*args, **kwargs)


def test_a_scenario_object_runs_on_worker_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A scenario built or changed in Python travels to the workers whole (it is not reloaded by name): the
    runs happen in the pool, and give what the same runs give one after the other."""
    shipped = load("hot-lot")
    variant = dataclasses.replace(
        shipped, name="hot-lot-cheaper", listing=dataclasses.replace(shipped.listing, start_ratio=0.75)
    )
    monkeypatch.setattr(simulate_module, "ProcessPoolExecutor", CountingPool)
    parallel = simulate_module.simulate(variant, runs=2, workers=2)
    assert CountingPool.submitted == 2
    serial = simulate_module.simulate(variant, runs=2, workers=1)
    assert [reproducible([dataclasses.asdict(r) for r in run]) for run in parallel.records] == [
        reproducible([dataclasses.asdict(r) for r in run]) for run in serial.records
    ]
    start = [r.starting_price / r.appraisal for run in parallel.records for r in run]
    assert all(abs(ratio - 0.75) < 0.01 for ratio in start)  # the variant ran, not the shipped file


def test_simulated_courts_carry_province_city_and_level_in_the_service(tmp_path: Path) -> None:
    """The service's statistics by province and court level cover a simulated market: its courts are
    created with the scenario's province, city and level (a maritime court at the intermediate level)."""
    database = f"sqlite+aiosqlite:///{tmp_path}/market.db"
    scenario = load("hot-lot")
    result = simulate_module.simulate(scenario, seed=2, database_url=database)
    sold = sum(1 for r in result.records[0] if r.outcome == "sold")

    async def groups() -> dict[str, Any]:
        after = clock_start(scenario) + 30 * 86_400.0
        async with simulate_module.in_process_service(database, scenario.rules, after) as (_app, _clock, client):
            answer = await client.get("/api/v1/stats/groups", params={"by": "province,court_level"})
            assert answer.status_code == 200, answer.text
            return answer.json()

    items = asyncio.run(groups())["items"]
    court = scenario.courts[0]
    assert [item["group"] for item in items] == [{"province": court.province, "court_level": court.level}]
    assert items[0]["sold"] == sold


def test_a_maritime_court_is_an_intermediate_court_to_the_service() -> None:
    assert service_level("maritime") == "intermediate"
    assert {service_level(level) for level in LEVELS} <= {"basic", "intermediate", "high", "supreme"}


# ----------------------------------------------------------------- the rules lane (--lane rules)
def test_the_rules_lane_writes_the_same_auctions_as_the_default_lane(
    hot_lot: Run, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """``--lane rules`` (``auction_sim/rules_lane.py``): the same records as the service in process, ids
    included, and the same files; ``--timings`` says which lane answered."""
    out = tmp_path_factory.mktemp("hot-lot-rules")
    run = command("simulate", "hot-lot", "--seed", "5", "--lane", "rules", "--timings", out=out)
    assert run.returncode == 0, run.stderr
    assert run.figures["auctions"] == hot_lot.figures["auctions"]
    assert (out / "report.html").is_file() and (out / "tables" / "bids.parquet").is_file()
    assert "the rules lane, in memory" in run.stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--lane", "memory"), "memory"),
        (("--lane", "rules", "--url", "http://127.0.0.1:9"), "--url"),
    ],
)
def test_a_lane_that_cannot_run_is_a_usage_error(args: tuple[str, ...], says: str, tmp_path: Path) -> None:
    run = command("simulate", "hot-lot", *args, out=tmp_path / "out")
    assert run.returncode == 2, run.stdout
    assert says in run.stderr
    assert not (tmp_path / "out").exists()


def test_the_rules_lane_keeps_no_database_and_says_a_database_set_is_unused(tmp_path: Path) -> None:
    """A shell set up for the service (the README's PostgreSQL steps export ``AUCTION_DATABASE_URL``)
    runs the rules lane as well: the run says the database is not used, and writes nothing there."""
    env = os.environ | {"AUCTION_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db"}
    done = subprocess.run(
        [sys.executable, "-m", "auction_cli", "simulate", "hot-lot", "--lane", "rules", "--out", str(tmp_path / "o")],
        capture_output=True, text=True, timeout=TIMEOUT, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "AUCTION_DATABASE_URL is not used" in done.stderr
    assert not (tmp_path / "x.db").exists() and (tmp_path / "o" / "figures.json").is_file()
