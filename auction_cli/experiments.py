"""Running an experiment (``auction-service simulate experiment FILE.toml``): every variant over the same
seeds, each run a whole in-process service on its own SQLite file, spread over local worker processes
or, given a scheduler's address, over an existing Dask cluster (dask.distributed).

The runs are independent, so the order they finish in does not matter: results are keyed by (variant,
seed) and written in the experiment's order, so a local run and a cluster run of the same experiment
write the same tables.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auction_sim import records as rec
from auction_sim import tables
from auction_sim.experiment import Experiment, Variant, compare
from auction_sim.scenario import Scenario

Progress = Callable[[int, int], None]


def run_one(scenario: Scenario, seed: int, lane: str = "api") -> list[rec.AuctionRecord]:
    """One run (a worker's task; module-level so that processes and Dask workers can import it), in
    ``lane`` (``simulate.LANES``: the service in process by default, or the rules lane)."""
    from .simulate import run_one as run

    return asyncio.run(run(scenario, seed, lane=lane))


@dataclass
class ExperimentResult:
    experiment: Experiment
    records: dict[tuple[str, int], list[rec.AuctionRecord]]
    wall_seconds: float
    where: str  # "local processes (N)" or the Dask scheduler's address
    summaries: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for (variant, seed), records in self.records.items():
            self.summaries.setdefault(variant, {})[seed] = rec.summarize(records)

    def comparison(self) -> list[dict[str, Any]]:
        return compare(self.experiment, self.summaries)

    def frames(self) -> dict[str, Any]:
        ordered = [
            ({"variant": v.name, "seed": seed}, self.records[(v.name, seed)])
            for v in self.experiment.variants
            for seed in self.experiment.seeds
        ]
        return tables.frames(ordered)


def _tasks(experiment: Experiment) -> list[tuple[str, int, Scenario]]:
    return [
        (variant.name, seed, experiment.scenario_of(variant))
        for variant in experiment.variants
        for seed in experiment.seeds
    ]


def _run_local(
    tasks: list[tuple[str, int, Scenario]], workers: int, progress: Progress | None, lane: str = "api"
) -> dict:
    out: dict[tuple[str, int], list[rec.AuctionRecord]] = {}
    if workers <= 1:
        for i, (variant, seed, scenario) in enumerate(tasks):
            out[(variant, seed)] = run_one(scenario, seed, lane)
            if progress:
                progress(i + 1, len(tasks))
        return out
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(run_one, scenario, seed, lane): (variant, seed) for variant, seed, scenario in tasks}
        for i, future in enumerate(futures):
            out[futures[future]] = future.result()
            if progress:
                progress(i + 1, len(tasks))
    return out


def _run_dask(
    tasks: list[tuple[str, int, Scenario]], scheduler: str, progress: Progress | None, lane: str = "api"
) -> dict:
    from distributed import Client, as_completed

    out: dict[tuple[str, int], list[rec.AuctionRecord]] = {}
    with Client(scheduler) as client:
        futures = {
            client.submit(run_one, scenario, seed, lane, key=f"run-{variant}-{seed}", pure=False): (variant, seed)
            for variant, seed, scenario in tasks
        }
        for i, future in enumerate(as_completed(futures)):
            out[futures[future]] = future.result()
            if progress:
                progress(i + 1, len(tasks))
    return out


def run_experiment(
    experiment: Experiment,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
    lane: str = "api",
) -> ExperimentResult:
    """Every variant over the experiment's seeds: on the Dask cluster at ``scheduler`` if given, else on
    ``workers`` local processes (default: one per CPU); each run in ``lane`` (``simulate.LANES``)."""
    from .simulate import check_lane

    check_lane(lane)
    tasks = _tasks(experiment)
    began = time.perf_counter()
    if scheduler:
        records = _run_dask(tasks, scheduler, progress, lane)
        where = f"Dask cluster at {scheduler}"
    else:
        count = workers or os.cpu_count() or 1
        records = _run_local(tasks, count, progress, lane)
        where = f"{count} local process{'es' if count > 1 else ''}"
    return ExperimentResult(experiment, records, time.perf_counter() - began, where)


def write_experiment(out: Path, result: ExperimentResult) -> dict[str, Path]:
    """``experiment.json`` (the definition, the seeds, every run's summary, the comparison),
    ``comparison.csv``, the tidy tables (``tables/``) and ``report.html``."""
    out.mkdir(parents=True, exist_ok=True)
    ex = result.experiment
    comparison = result.comparison()
    document = {
        "experiment": ex.name,
        "description": ex.description,
        "scenario": ex.base,
        "baseline": ex.baseline,
        "seeds": ex.seeds,
        "variants": [
            {
                "name": v.name,
                "rules": v.rules,
                "scenario": v.scenario,
                "profile": ex.scenario_of(v).profile.name,
                "runs": [{"seed": seed, "summary": result.summaries[v.name][seed]} for seed in ex.seeds],
            }
            for v in ex.variants
        ],
        "comparison": comparison,
        "wall_seconds": round(result.wall_seconds, 1),
        "where": result.where,
    }
    tables.write(out / "tables", result.frames())
    return _write_document(out, document)


def _write_document(out: Path, document: dict[str, Any]) -> dict[str, Path]:
    """``experiment.json``, ``comparison.csv`` and ``report.html`` of an experiment's document."""
    import pandas as pd

    from auction_sim.experiment_report import render_experiment

    paths = {"json": out / "experiment.json", "comparison": out / "comparison.csv", "report": out / "report.html"}
    paths["json"].write_text(json.dumps(document, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    pd.DataFrame(document["comparison"]).to_csv(paths["comparison"], index=False)
    paths["report"].write_text(render_experiment(document), encoding="utf-8")
    return paths


def recompare(out: Path) -> dict[str, Path]:
    """Compare an experiment's runs anew from its ``experiment.json`` (every run's summary is kept there)
    and rewrite ``comparison.csv``, ``report.html`` and the document's comparison: a change to how
    figures are compared needs no run again."""
    document = json.loads((out / "experiment.json").read_text(encoding="utf-8"))
    variants = [Variant(v["name"], v["rules"] or {}, v["scenario"] or {}) for v in document["variants"]]
    experiment = Experiment(
        name=document["experiment"],
        description=document.get("description", ""),
        base=document["scenario"],
        seeds=list(document["seeds"]),
        variants=variants,
        baseline=document["baseline"],
    )
    summaries = {v["name"]: {run["seed"]: run["summary"] for run in v["runs"]} for v in document["variants"]}
    document["comparison"] = compare(experiment, summaries)
    return _write_document(out, document)
