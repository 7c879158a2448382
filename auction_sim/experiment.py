"""Experiments: one base scenario, several variants of its rules or its market, the same seeds for all.

An experiment file (TOML) names a base scenario, how many seeds each variant runs and either a list of
variants or a grid (every combination of the values given). A variant changes rule quantities (run
under a research profile, ``auction_rules/research.py``) and/or scenario fields (merged into the
scenario's own TOML data before it is read, so every check of a scenario file applies).

Every variant runs the same seeds (common random numbers): the buyers, valuations and timings a seed
draws are the same in every variant, so the difference a variant makes is measured pair by pair, seed
by seed, with far less noise than two independent samples would give.

Pure: reading files and computing comparisons; running is the command line's job.
"""

from __future__ import annotations

import itertools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import scenario as scenarios
from . import validation
from .scenario import Scenario, ScenarioError

RULES_KEY = "rules"
SCENARIO_KEY = "scenario"


class ExperimentError(ValueError):
    """An experiment file that cannot be run: the message names the file and the field."""


@dataclass(frozen=True)
class Variant:
    name: str
    rules: dict[str, Any] = field(default_factory=dict)  # rule overrides (research profile)
    scenario: dict[str, Any] = field(default_factory=dict)  # scenario fields, merged into its TOML


@dataclass(frozen=True)
class Experiment:
    name: str
    description: str
    base: str  # a shipped scenario's name or a scenario file's path
    seeds: list[int]
    variants: list[Variant]
    baseline: str
    rules_base: str | None = None  # the profile research variants start from (default: the scenario's)

    def scenario_of(self, variant: Variant) -> Scenario:
        """The scenario a variant runs: the base's TOML with the variant's fields merged in, under a
        research profile named after the experiment and the variant when it changes any rule."""
        data = _merge(raw_scenario(self.base), variant.scenario)
        if variant.rules:
            data["rules_base"] = self.rules_base or data.get("rules", "judicial-2016")
            data["rules"] = "research:" + _label(f"{self.name}.{variant.name}")
            data["rule_overrides"] = dict(variant.rules)
        try:
            return scenarios.parse(data, f"{self.base} ({variant.name})")
        except ScenarioError as exc:
            raise ExperimentError(f"variant {variant.name!r}: {exc}") from None


def _label(text: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in text)
    return cleaned[:40].strip("-") or "variant"


def raw_scenario(ref: str) -> dict[str, Any]:
    """The TOML data of a shipped scenario (by name) or of a scenario file (by path)."""
    path = Path(ref)
    if path.suffix == ".toml" and path.exists():
        return tomllib.loads(path.read_text(encoding="utf-8"))
    if ref not in scenarios.shipped():
        raise ExperimentError(f"unknown scenario {ref!r}: choose one of {', '.join(scenarios.shipped())} or a file")
    return tomllib.loads((scenarios.SHIPPED / f"{ref}.toml").read_text(encoding="utf-8"))


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes`` laid over it; tables merge key by key, anything else replaces."""
    out = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def common_seeds(seed: int, runs: int) -> list[int]:
    """The seeds every variant runs: the first is ``seed`` itself (as ``simulate --runs`` draws them)."""
    return [seed + 1_000_003 * i for i in range(runs)]


def _dotted(key: str, value: Any) -> dict[str, Any]:
    """``"listing.deposit_ratio", 0.05`` -> ``{"listing": {"deposit_ratio": 0.05}}``."""
    out: dict[str, Any] = {}
    node = out
    parts = key.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return out


def _grid_variants(grid: dict[str, Any], where: str) -> list[Variant]:
    """Every combination of a grid's values, named ``key=value, ...``."""
    keys = list(grid)
    for key in keys:
        values = grid[key]
        if not isinstance(values, list) or not values:
            raise ExperimentError(f"{where}: grid.{key} must be a non-empty list of values")
        if key.split(".", 1)[0] not in (RULES_KEY, SCENARIO_KEY) or "." not in key:
            raise ExperimentError(f"{where}: grid key {key!r} must start with 'rules.' or 'scenario.'")
    out = []
    for combination in itertools.product(*(grid[k] for k in keys)):
        rules: dict[str, Any] = {}
        scenario: dict[str, Any] = {}
        for key, value in zip(keys, combination, strict=True):
            kind, rest = key.split(".", 1)
            if kind == RULES_KEY:
                rules[rest] = value
            else:
                scenario = _merge(scenario, _dotted(rest, value))
        name = ", ".join(f"{k.split('.')[-1]}={v}" for k, v in zip(keys, combination, strict=True))
        out.append(Variant(name, rules, scenario))
    return out


def _listed_variants(items: Any, where: str) -> list[Variant]:
    if not isinstance(items, list) or not items:
        raise ExperimentError(f"{where}: variants must be a non-empty list of tables")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            raise ExperimentError(f"{where}: variants[{i}] needs a name")
        unknown = set(item) - {"name", RULES_KEY, SCENARIO_KEY}
        if unknown:
            raise ExperimentError(f"{where}: variants[{i}] has unknown fields {sorted(unknown)}")
        for key in (RULES_KEY, SCENARIO_KEY):
            if not isinstance(item.get(key, {}), dict):
                raise ExperimentError(f"{where}: variants[{i}].{key} must be a table")
        out.append(Variant(item["name"], dict(item.get(RULES_KEY, {})), dict(item.get(SCENARIO_KEY, {}))))
    return out


FIELDS = frozenset({"name", "description", "scenario", "seeds", "seed", "baseline", "rules_base", "variants", "grid"})


def _header(data: dict[str, Any], source: str, folder: Path | None) -> tuple[str, str, list[int]]:
    """The experiment's name, its base scenario and its common seeds."""
    unknown = set(data) - FIELDS
    if unknown:
        raise ExperimentError(f"{source}: unknown fields {sorted(unknown)}")
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise ExperimentError(f"{source}: name is required")
    base = data.get("scenario")
    if not isinstance(base, str):
        raise ExperimentError(f"{source}: scenario (a shipped scenario's name or a .toml path) is required")
    if folder is not None and base.endswith(".toml") and not Path(base).is_absolute():
        base = str(folder / base)
    runs, seed = data.get("seeds", 20), data.get("seed", 1)
    if not isinstance(runs, int) or isinstance(runs, bool) or not 1 <= runs <= 1000:
        raise ExperimentError(f"{source}: seeds must be a whole number from 1 to 1000")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ExperimentError(f"{source}: seed must be a whole number")
    return name, base, common_seeds(seed, runs)


def _variants(data: dict[str, Any], source: str) -> list[Variant]:
    if ("variants" in data) == ("grid" in data):
        raise ExperimentError(f"{source}: give either variants (a list) or grid (a table of value lists)")
    if "variants" in data:
        variants = _listed_variants(data["variants"], source)
    else:
        variants = _grid_variants(data["grid"], source)
    names = [v.name for v in variants]
    if len(set(names)) != len(names):
        raise ExperimentError(f"{source}: variant names must differ")
    return variants


def parse_experiment(data: dict[str, Any], source: str = "<dict>", *, folder: Path | None = None) -> Experiment:
    """Read an experiment's data; every variant's scenario is built once here, so a wrong rule or field
    is refused before anything runs."""
    name, base, seeds = _header(data, source, folder)
    variants = _variants(data, source)
    names = [v.name for v in variants]
    baseline = data.get("baseline", names[0])
    if baseline not in names:
        raise ExperimentError(f"{source}: baseline {baseline!r} is not one of the variants {names}")
    rules_base = data.get("rules_base")
    if rules_base not in (None, "judicial-2016", "sandbox"):
        raise ExperimentError(f"{source}: rules_base must be judicial-2016 or sandbox")
    experiment = Experiment(
        name=name,
        description=str(data.get("description", "")),
        base=base,
        seeds=seeds,
        variants=variants,
        baseline=baseline,
        rules_base=rules_base,
    )
    for variant in variants:
        experiment.scenario_of(variant)
    return experiment


def load_experiment(path: str | Path) -> Experiment:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ExperimentError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ExperimentError(f"{path}: not valid TOML ({exc})") from None
    return parse_experiment(data, str(path), folder=path.parent)


# ---------------------------------------------------------------- comparing variants


def _numeric(summary: dict[str, Any]) -> dict[str, float]:
    return {k: float(v) for k, v in summary.items() if isinstance(v, int | float) and not isinstance(v, bool)}


def _itself(figure: str, pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    """The baseline against itself: no difference, and no interval to draw around it."""
    count = sum(1 for a, _ in pairs if isinstance(a.get(figure), int | float))
    return {"diff": 0.0 if count else None, "low": None, "high": None, "pairs": count, "method": "the baseline"}


def compare(experiment: Experiment, summaries: dict[str, dict[int, dict[str, Any]]]) -> list[dict[str, Any]]:
    """One row per (variant, figure): the mean over seeds with its 95% interval, and the difference to the
    baseline paired seed by seed (only seeds where both have the figure) with its 95% interval; each
    interval inside the figure's bounds (a rate's in [0, 1], a difference of rates in [−1, 1]), and the
    method of each named in the row (``validation.estimate``, ``validation.paired_difference``).

    ``summaries``: variant name -> seed -> that run's summary figures."""
    base = summaries.get(experiment.baseline, {})
    rows = []
    for variant in experiment.variants:
        runs = summaries.get(variant.name, {})
        figures = sorted({name for s in runs.values() for name in _numeric(s)})
        pairs = [(runs[seed], base[seed]) for seed in runs if seed in base]
        for figure in figures:
            est = validation.estimate(figure, list(runs.values()))
            if variant.name == experiment.baseline:
                diff = _itself(figure, pairs)
            else:
                diff = validation.paired_difference(figure, pairs)
            rows.append(
                {
                    "variant": variant.name,
                    "figure": figure,
                    "per": validation.PER[validation.figure(figure).per],
                    "runs": est["runs"],
                    "mean": est["mean"],
                    "low": est["low"],
                    "high": est["high"],
                    "method": est["method"],
                    "diff_to_baseline": diff["diff"],
                    "diff_low": diff["low"],
                    "diff_high": diff["high"],
                    "pairs": diff["pairs"],
                    "diff_method": diff["method"],
                }
            )
    return rows
