"""The simulation report (``auction_sim.report``): the three files it writes, that the JSON is the
figures unchanged, that the CSV opens in Excel (BOM, one row per auction) and that the HTML page is
self-contained (inline SVG charts, nothing fetched from the network). Pure: no service, no network."""

from __future__ import annotations

import csv
import dataclasses
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from auction_sim import report
from auction_sim.records import AuctionRecord, figures_row, summarize
from auction_sim.scenario import Target
from auction_sim.validation import aggregate, evaluate


def record(auction_id: int, **changes: Any) -> AuctionRecord:
    base = AuctionRecord(
        auction_id=auction_id,
        lot_id=auction_id,
        court="杭州市西湖区人民法院",
        province="浙江省",
        court_level="basic",
        category="residential",
        round=1,
        appraisal=100_000_000,
        starting_price=70_000_000,
        increment=350_000,
        deposit=7_000_000,
        start_at="2026-01-05T02:00:00Z",
        scheduled_end_at="2026-01-06T02:00:00Z",
        end_at="2026-01-06T02:00:00Z",
        outcome="unsold",
        price=None,
        bids=0,
        bidders=0,
        registrations=0,
        extensions=0,
        minutes_past_end=0.0,
        defaulted=False,
    )
    return dataclasses.replace(base, **changes)


def records() -> list[AuctionRecord]:
    return [
        record(
            1,
            outcome="sold",
            price=81_550_000,
            bids=34,
            bidders=4,
            registrations=6,
            extensions=22,
            minutes_past_end=41.5,
            single_increment_bids=30,
            raises=33,
            top2_bids=25,
            top3_bids=31,
            extension_gaps=[12.5, 31.0, 220.25, 45.0],
            end_at="2026-01-06T02:41:30Z",
        ),
        record(2, lot_id=2, disposition="returned", round=2, category="vehicle", registrations=1),
        record(
            3,
            round="sale",
            category="commercial",
            outcome="sold",
            price=56_000_000,
            starting_price=56_000_000,
            bids=1,
            bidders=1,
            registrations=1,
            defaulted=True,
        ),
    ]


TARGETS = (
    Target("transaction_rate", 0.6454, 0.1, "auction ended", "最高人民法院 2025 Q1"),
    Target("extension_gap_median", 31.0, 10.0, "extension gap", "real-bid-logs"),
)


def make_figures(recs: list[AuctionRecord], runs: int = 1) -> dict[str, Any]:
    """Figures as ``simulate`` writes them; with two runs the second is the first two records alone."""
    per_run = [recs, recs[:2]][:runs]
    summaries = [summarize(run) for run in per_run]
    return {
        "scenario": "hot-lot",
        "description": "Two committed bidders <b>fight</b> over one flat & its neighbours.",
        "seed": 7,
        "runs": runs,
        "seeds": list(range(7, 7 + runs)),
        "generated_at": "2026-01-06T03:00:00Z",
        "wall_seconds": 1.25,
        "auctions": [
            {"run": i, "seed": 6 + i, **figures_row(r)} for i, run in enumerate(per_run, start=1) for r in run
        ],
        "summary": summaries[0],
        "summaries": summaries,
        "aggregate": aggregate(summaries),
        "targets": evaluate(TARGETS, per_run, summarize),
    }


class _Collector(HTMLParser):
    """Every tag and attribute of the page, to check that nothing points outside it."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)


def test_writes_three_files(tmp_path: Path) -> None:
    figures = make_figures(records())
    paths = report.write_report(tmp_path / "out", figures)
    assert set(paths) == {"figures", "auctions", "report"}
    assert {p.name for p in paths.values()} == {"figures.json", "auctions.csv", "report.html"}
    assert all(p.is_file() and p.parent == tmp_path / "out" for p in paths.values())


def test_figures_json_round_trips(tmp_path: Path) -> None:
    figures = make_figures(records(), runs=2)
    paths = report.write_report(tmp_path, figures)
    text = paths["figures"].read_text(encoding="utf-8")
    assert json.loads(text) == figures
    assert "杭州市西湖区人民法院" in text  # not \u-escaped


def test_auctions_csv_has_one_row_per_record(tmp_path: Path) -> None:
    recs = records()
    paths = report.write_report(tmp_path, make_figures(recs))
    raw = paths["auctions"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for the Chinese names
    with paths["auctions"].open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header = ["run", "seed", *report.RECORD_COLUMNS]
    assert rows[0] == [report.csv_header(name) for name in header]
    assert {"appraisal_fen", "starting_price_fen", "increment_fen", "deposit_fen", "price_fen"} <= set(rows[0])
    assert len(rows) == 1 + len(recs)
    by_name = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert by_name[0]["court"] == "杭州市西湖区人民法院"
    assert by_name[0]["extension_gaps"] == "12.5;31;220.25;45"
    assert by_name[0]["price"] == "81550000"
    assert by_name[1]["price"] == ""  # None is empty
    assert by_name[1]["extension_gaps"] == ""
    assert by_name[1]["disposition"] == "returned"
    assert by_name[2]["round"] == "sale"


def test_report_html_is_self_contained(tmp_path: Path) -> None:
    paths = report.write_report(tmp_path, make_figures(records()))
    page = paths["report"].read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    assert "hot-lot" in page and "seed 7" in page
    assert page.count("<svg") == 7  # every chart has data here
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page
    for forbidden in ('src="http', "src='http", 'href="http', "href='http", "<script", "<link", "@import"):
        assert forbidden not in page
    collector = _Collector()
    collector.feed(page)
    for name, value in collector.attrs:
        if value and name != "xmlns" and not name.startswith("xmlns:"):
            assert "http" not in value, (name, value)
    assert "<b>fight</b>" not in page and "&lt;b&gt;fight&lt;/b&gt;" in page  # escaped
    assert "Transaction rate 成交率 (sold ÷ ended auctions)" in page


def test_report_html_formats_figures(tmp_path: Path) -> None:
    page = report.write_report(tmp_path, make_figures(records()))["report"].read_text(encoding="utf-8")
    assert "50.0%" in page  # 1 sold of 2 ended: the 悔拍 sale is neither sold nor unsold
    assert "815,500.00 yuan" in page  # the paid sale only (the defaulted one is no deal), fen → yuan
    assert "70,000.00 yuan" in page  # the defaulted sale's deposit, forfeited
    assert "64.5% ± 10.0 pp" in page
    assert "最高人民法院 2025 Q1" in page
    assert ">met<" in page and ">missed<" in page


def test_each_target_shows_its_mean_interval_band_and_verdict(tmp_path: Path) -> None:
    """Per target: the mean over the runs, its 95% interval (never outside the figure's bounds), the band,
    the denominator and met or missed, as figures.json has them."""
    figures = make_figures(records(), runs=2)
    rate = figures["targets"][0]
    assert rate["mean"] == 0.5 and rate["runs"] == 2 and rate["pooled"] == [2, 4]
    assert 0 <= rate["low"] < 0.5 < rate["high"] <= 1
    assert rate["band"] == pytest.approx([0.5454, 0.7454])
    assert rate["met"] is False  # the mean lies outside the band, though the interval overlaps it
    page = report.write_report(tmp_path, figures)["report"].read_text(encoding="utf-8")
    assert "[54.5%, 74.5%]" in page  # the band
    assert f"[{rate['low'] * 100:.1f}%, {rate['high'] * 100:.1f}%]" in page
    assert "per auction ended" in page
    assert "1 of 2 targets met over 2 run(s)" in page  # the gap median is met


def test_lots_under_way_at_the_horizon_are_reported_apart(tmp_path: Path) -> None:
    """A lot whose next round opens after the horizon is neither sold nor concluded: it is counted apart
    (and per lot listed counted unsold), not dropped."""
    recs = [*records(), record(4, lot_id=4)]  # failed round 1, next round after the horizon
    figures = make_figures(recs)
    summary = figures["summary"]
    assert (summary["lots_listed"], summary["lots_concluded"], summary["lots_under_way"]) == (4, 2, 2)
    assert summary["transaction_rate_by_lot"] == 0.5  # lot 1 sold of lots 1 and 2 concluded
    assert summary["transaction_rate_by_lot_listed"] == 0.25
    page = report.write_report(tmp_path, figures)["report"].read_text(encoding="utf-8")
    assert "2 still under way at the scenario" in page


def test_svg_ids_are_unique_across_charts(tmp_path: Path) -> None:
    page = report.write_report(tmp_path, make_figures(records()))["report"].read_text(encoding="utf-8")
    collector = _Collector()
    collector.feed(page)
    ids = [value for name, value in collector.attrs if name == "id"]
    assert ids and len(ids) == len(set(ids))


def test_aggregate_table_when_several_runs(tmp_path: Path) -> None:
    figures = make_figures(records(), runs=2)
    page = report.write_report(tmp_path, figures)["report"].read_text(encoding="utf-8")
    assert "Across runs" in page and "95% interval" in page
    assert "seeds 7, 8" in page
    assert "(first run)" in page


def test_no_aggregate_section_for_one_run(tmp_path: Path) -> None:
    page = report.write_report(tmp_path, make_figures(records()))["report"].read_text(encoding="utf-8")
    assert "Across runs" not in page


@pytest.mark.parametrize("runs", [1, 2])
def test_empty_run_still_reports(tmp_path: Path, runs: int) -> None:
    figures = make_figures([], runs=runs)
    figures["targets"] = []
    paths = report.write_report(tmp_path / "empty", figures)
    page = paths["report"].read_text(encoding="utf-8")
    assert "hot-lot" in page
    assert "<svg" not in page and "No data to chart" in page
    with paths["auctions"].open(encoding="utf-8-sig", newline="") as f:
        assert len(list(csv.reader(f))) == 1  # the header alone
    assert json.loads(paths["figures"].read_text(encoding="utf-8")) == figures


def test_targets_without_values_still_chart(tmp_path: Path) -> None:
    figures = make_figures([])
    page = report.write_report(tmp_path, figures)["report"].read_text(encoding="utf-8")
    assert page.count("<svg") == 1  # only the targets chart has data
    assert "—" in page  # a figure without a value


def test_figures_are_closed(tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    before = len(plt.get_fignums())
    report.write_report(tmp_path, make_figures(records()))
    assert len(plt.get_fignums()) == before
