"""Scenario files (``auction_sim.scenario``): every shipped one loads, and a file that cannot be
run is refused with a ``ScenarioError`` that names what is wrong, so a typo or an illegal listing term
never runs silently as something else. Pure: no service."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from auction_sim import scenario
from auction_sim.scenario import ScenarioError

# The smallest scenario that runs: one court, one category, default listing terms and bidders.
MINIMAL = """\
name = "tiny"
description = "one court, a few flats"
seed = 7
start = "2026-04-20T02:00:00Z"
horizon_days = 10
rules = "judicial-2016"

[[courts]]
name = "杭州市西湖区人民法院"
province = "浙江"
city = "杭州"
level = "basic"
lots = 3
categories = { residential = 1 }

[categories.residential]
appraisal_median = 150_000_000

[market]
period = "2025"

[listing]
start_ratio = 0.70

[bidders]
pool = 20

[[targets]]
name = "transaction_rate"
per = "auction ended"
target = 0.6
tolerance = 0.1
source = "a published figure, with its period"
"""


Write = Callable[..., Path]


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """Writes a scenario text to a .toml file and returns its path."""

    def _write(text: str, name: str = "tiny.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


def refused(path: Path) -> str:
    with pytest.raises(ScenarioError) as caught:
        scenario.load(path)
    return str(caught.value)


def test_the_minimal_scenario_is_valid(write: Write) -> None:
    """The fixture every other case mutates must itself load, or the refusals below prove nothing."""
    loaded = scenario.load(write(MINIMAL))
    assert loaded.name == "tiny"
    assert loaded.lots == 3
    assert loaded.listing.start_ratio == 0.70
    assert loaded.start.utcoffset() is not None
    assert [t.name for t in loaded.targets] == ["transaction_rate"]


@pytest.mark.parametrize("name", scenario.shipped())
def test_every_shipped_scenario_loads(name: str) -> None:
    """``simulate --list`` offers these: each must run, under the name it is listed by."""
    loaded = scenario.load(name)
    assert loaded.name == name
    assert loaded.lots >= 1
    assert loaded.source == f"shipped:{name}"


def test_hot_lot_and_court_month_are_shipped() -> None:
    """The calibration test runs hot-lot; CI runs court-month end to end."""
    assert {"hot-lot", "court-month"} <= set(scenario.shipped())


def test_an_unknown_scenario_name_lists_the_shipped_ones() -> None:
    with pytest.raises(ScenarioError) as caught:
        scenario.load("no-such")
    message = str(caught.value)
    assert "no-such" in message
    for name in scenario.shipped():
        assert name in message


def test_a_missing_scenario_file_is_named(tmp_path: Path) -> None:
    assert "nowhere.toml" in refused(tmp_path / "nowhere.toml")


def test_an_unknown_top_level_field_is_an_error_not_ignored(write: Write) -> None:
    message = refused(write('colour = "red"\n' + MINIMAL))
    assert "colour" in message


def test_a_misspelt_listing_field_is_named(write: Write) -> None:
    """A typo in a listing term would otherwise run the default silently."""
    message = refused(write(MINIMAL.replace("start_ratio = 0.70", "start_ratio = 0.70\ndeposit_rate = 0.1")))
    assert "deposit_rate" in message
    assert "listing" in message


def test_round_one_cannot_start_below_seventy_percent_of_the_appraisal(write: Write) -> None:
    """Rule 1 (Art. 10): a start ratio of 0.6 is an illegal listing, refused before anything runs."""
    message = refused(write(MINIMAL.replace("start_ratio = 0.70", "start_ratio = 0.6")))
    assert "start_ratio" in message
    assert "0.6" in message


def test_a_category_the_service_does_not_know_is_refused(write: Write) -> None:
    text = MINIMAL.replace("[categories.residential]", "[categories.spaceship]").replace(
        "{ residential = 1 }", "{ spaceship = 1 }"
    )
    message = refused(write(text))
    assert "spaceship" in message
    assert "residential" in message  # says which categories there are


def test_a_scenario_names_a_period_that_has_a_market_file(write: Write) -> None:
    message = refused(write(MINIMAL.replace('period = "2025"', 'period = "1999"')))
    assert "1999" in message
    assert "2025" in message  # says which periods there are


def test_behaviour_is_the_markets_not_a_scenarios(write: Write) -> None:
    """How buyers behave is set once per period and asset class (the market file): a scenario that tries
    to set it (the old per-scenario demand knobs) is refused, not silently obeyed."""
    for knob in ("no_bidder = 0.5", "value_mean = 0.8", "private_sd = 0.1"):
        text = MINIMAL.replace("appraisal_median = 150_000_000", f"appraisal_median = 150_000_000\n{knob}")
        assert knob.split()[0] in refused(write(text))


def test_every_scenario_of_a_period_shares_its_market() -> None:
    """Flats are the same market in every 2025 scenario: one parameter set, the market file's."""
    national, housing = scenario.load("national-q1-2025"), scenario.load("housing-2025")
    assert national.market.period == housing.market.period == "2025"
    assert national.demand_of("residential") == housing.demand_of("residential")


SPC_RATE = 0.6454  # docs/domain.md: the national 成交率 of Q1 2025, denominator not published


def test_the_national_rate_is_held_per_lot_concluded_on_lots_followed_to_their_end() -> None:
    """The SPC's 64.54% is read as a rate per lot over all its rounds (docs/model-card.md): every scenario
    that targets it names that denominator, and lists its lots over a period shorter than its horizon, so
    the lots reach their end and the rate is not that of the lots that happened to sell early."""
    holding = []
    for name in scenario.shipped():
        loaded = scenario.load(name)
        for target in loaded.targets:
            if target.target == SPC_RATE:
                assert (target.name, target.per) == ("transaction_rate_by_lot", "lot concluded"), name
                assert loaded.listing_period_days + 60 <= loaded.horizon_days, name
                holding.append(name)
    assert set(holding) == {"court-month", "national-q1-2025", "province-quarter"}


def test_a_scaled_scenario_keeps_its_courts_market_and_terms() -> None:
    """``simulate --lots N``: the courts scaled to about N lots in all, each keeping at least one."""
    national = scenario.load("national-q1-2025")
    small = scenario.scaled(national, 60)
    assert small.lots == pytest.approx(60, abs=len(national.courts))
    assert all(c.lots >= 1 for c in small.courts)
    assert [c.name for c in small.courts] == [c.name for c in national.courts]
    assert (small.market, small.listing, small.targets) == (national.market, national.listing, national.targets)
    assert scenario.scaled(national, None) is national


def test_a_court_weighting_an_undeclared_category_is_refused(write: Write) -> None:
    message = refused(write(MINIMAL.replace("{ residential = 1 }", "{ residential = 1, vehicle = 1 }")))
    assert "vehicle" in message


def test_a_target_must_name_a_summary_figure(write: Write) -> None:
    """A target on a figure the summary does not have could never be checked."""
    message = refused(write(MINIMAL.replace('name = "transaction_rate"', 'name = "happiness"')))
    assert "happiness" in message
    assert "transaction_rate" in message  # says which figures there are


def test_a_target_must_state_its_figure_s_denominator(write: Write) -> None:
    """A target says what its figure is divided by; a file claiming the wrong denominator is refused with
    the right one named (the rate per auction ended is not a rate per lot listed)."""
    message = refused(write(MINIMAL.replace('per = "auction ended"', 'per = "lot listed"')))
    assert "transaction_rate" in message
    assert "auction ended" in message
    assert "auction ended" in refused(write(MINIMAL.replace('per = "auction ended"\n', "")))


def test_a_target_must_cite_its_source(write: Write) -> None:
    message = refused(write(MINIMAL.replace('source = "a published figure, with its period"\n', "")))
    assert "source" in message


def test_a_target_may_be_about_one_of_the_scenario_s_categories(write: Write) -> None:
    scoped = MINIMAL.replace('per = "auction ended"', 'per = "auction ended"\ncategory = "residential"')
    assert scenario.load(write(scoped)).targets[0].category == "residential"
    message = refused(write(scoped.replace('category = "residential"', 'category = "vessel"')))
    assert "vessel" in message


def test_a_scenario_without_a_start_is_refused(write: Write) -> None:
    message = refused(write(MINIMAL.replace('start = "2026-04-20T02:00:00Z"\n', "")))
    assert "start" in message


@pytest.mark.parametrize(
    "start",
    ['start = "2026-04-20T02:00:00"', "start = 2026-04-20T02:00:00", "start = 2026-04-20"],
    ids=["naive-string", "toml-local-datetime", "toml-date"],
)
def test_a_start_without_its_offset_is_refused(write: Write, start: str) -> None:
    """A naive time would mean a different moment on every machine: the offset is required."""
    message = refused(write(MINIMAL.replace('start = "2026-04-20T02:00:00Z"', start)))
    assert "start" in message
    assert "offset" in message


def test_invalid_toml_is_refused_with_the_file_named(write: Write) -> None:
    path = write(MINIMAL.replace("lots = 3", "lots = = 3"))
    message = refused(path)
    assert "TOML" in message
    assert str(path) in message
