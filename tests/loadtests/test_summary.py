"""A run's summary comes from what the run recorded (locust's final JSON, the acknowledgement logs),
thresholds set the verdict, and two summaries compare figure by figure."""

import json

from loadtests import compare, summary


def test_percentiles_follow_locusts_own_method():
    histogram = {"1": 90, "5": 9, "40": 1}  # 100 requests
    assert summary.percentile(histogram, 0.50) == 1
    assert summary.percentile(histogram, 0.95) == 5
    assert summary.percentile(histogram, 0.98) == 5
    assert summary.percentile(histogram, 0.99) == 40  # the slowest 1% is the one 40 ms request
    assert summary.percentile({}, 0.99) == 0


def _locust_final(path, bids_accepted=10, failures=0):
    path.write_text(
        json.dumps(
            [
                {
                    "method": "POST",
                    "name": "POST bid [201 accepted]",
                    "num_requests": bids_accepted,
                    "num_failures": failures,
                    "max_response_time": 12,
                    "response_times": {"3": bids_accepted},
                    "start_time": 0.0,
                    "last_request_timestamp": 1.0,
                },
                {
                    "method": "GET",
                    "name": "GET auction",
                    "num_requests": 20,
                    "num_failures": 0,
                    "max_response_time": 90,
                    "response_times": {"2": 19, "90": 1},
                    "start_time": 0.0,
                    "last_request_timestamp": 9.0,
                },
            ]
        )
    )


def test_counts_come_from_the_run_not_from_a_stale_csv(tmp_path):
    _locust_final(tmp_path / "locust_final.json")
    (tmp_path / "locust_stats.csv").write_text("Type,Name,Request Count\nPOST,POST bid [201 accepted],3\n")
    (tmp_path / "acks-1.jsonl").write_text('[1, 1, 100, "A"]\n[1, 2, 110, "B"]\n')
    (tmp_path / "acks-2.jsonl").write_text('[1, 3, 120, "A"]\n')
    rows = summary.locust_rows(tmp_path, duration=10)
    assert [r.requests for r in rows] == [20, 10]
    assert rows[1].rate == 1.0  # over the run's duration, not the kind's own first-to-last span
    assert summary.count_acks(tmp_path) == 3
    assert "bids acknowledged (201, from the run's own log): 3" in summary.table(rows, 3)


def test_thresholds_name_what_was_missed(tmp_path):
    _locust_final(tmp_path / "locust_final.json", bids_accepted=10, failures=1)
    total = summary.overall(summary.locust_rows(tmp_path, duration=10))
    assert total["p99_ms"] == 90 and total["error_rate"] == 1 / 30
    assert summary.thresholds_missed(total, None, None) == []
    assert summary.thresholds_missed(total, 100, 0.05) == []
    missed = summary.thresholds_missed(total, 50, 0.01)
    assert len(missed) == 2 and "p99 90 ms" in missed[0] and "error rate" in missed[1]


def test_compare_prints_the_change_of_each_figure(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for d, accepted in ((a, 10), (b, 15)):
        d.mkdir()
        _locust_final(d / "locust_final.json", bids_accepted=accepted)
        rows = summary.locust_rows(d, duration=10)
        run = {"scenario": "market", "db": "sqlite", "users": 5, "duration": 10}
        summary.write(d, summary.build(run=run, rows=rows, acks=accepted, invariants=None, missed=[], status=0))
    text = compare.compare(summary.read(a), summary.read(b / "summary.json"))
    assert "bids acknowledged" in text and "+50.0%" in text
    assert compare.main([str(tmp_path / "nowhere"), str(b)]) == 2
