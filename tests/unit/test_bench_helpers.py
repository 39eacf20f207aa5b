"""The benchmarks' pure helpers: percentiles, /proc parsing, result records and tables."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bench.proc import cpu_seconds_of, status_bytes
from bench.results import append, memory_gib_of, read, record
from bench.simulator import LineCounter, memory_figures
from bench.stats import latency_summary, percentile
from bench.table import cell, flatten, markdown_table


def test_percentile_is_a_measured_value_by_nearest_rank():
    values = list(range(1, 101))  # 1..100
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0  # order of arrival does not matter
    assert percentile([7.0], 99) == 7.0


@pytest.mark.parametrize("q", [0, -1, 101])
def test_percentile_refuses_a_rank_outside_0_to_100(q):
    with pytest.raises(ValueError):
        percentile([1.0], q)


def test_percentile_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        percentile([], 50)


def test_latency_summary_in_milliseconds():
    summary = latency_summary([0.010] * 98 + [0.050, 0.200])
    assert summary == {"count": 100, "p50_ms": 10.0, "p95_ms": 10.0, "p99_ms": 50.0, "max_ms": 200.0}
    assert latency_summary([]) == {"count": 0}


def test_cpu_seconds_from_proc_stat_with_a_command_name_holding_spaces_and_parentheses():
    fields = ["S", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "250", "50", "0", "0"]
    line = "1234 (python (bench) x) " + " ".join(fields)
    assert cpu_seconds_of(line, ticks_per_second=100) == 3.0


def test_memory_fields_from_proc_status():
    text = "Name:\tpython\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n"
    assert status_bytes(text, "VmHWM") == 200 * 2**20
    assert status_bytes(text, "VmRSS") == 100 * 2**20
    with pytest.raises(ValueError):
        status_bytes(text, "VmSwap")


def test_memory_gib_from_meminfo():
    assert memory_gib_of("MemTotal:       24576000 kB\nMemFree: 1 kB\n") == 23.4


def test_results_append_as_json_lines_and_read_back(tmp_path):
    path = tmp_path / "results" / "day.jsonl"
    first = record("replay", {"events": 10}, {"events_per_s": 5}, {"cores": 2}, {"python": "3.11"}, datetime(2026, 11, 29, 6, tzinfo=timezone.utc))
    append(path, first)
    append(path, {**first, "scenario": "memory"})
    assert [r["scenario"] for r in read(path)] == ["replay", "memory"]
    assert read(path)[0] == first
    assert first["at"] == "2026-11-29T06:00:00+00:00"


def test_cells_read_as_the_docs_write_figures():
    assert cell(12345) == "12,345"
    assert cell(1234.6) == "1,235"
    assert cell(12.5) == "12.5"
    assert cell(3.0) == "3"
    assert cell(0.00471) == "0.00471"  # a small ratio never prints as 0
    assert cell(None) == ""
    assert cell(True) == "yes"
    assert cell("a|b") == "a\\|b"


def test_markdown_table_with_nested_figures_flattened():
    rows = [flatten({"events": 1000, "peer": {"events_per_s": 250}}), flatten({"events": 20})]
    assert markdown_table(rows, [("events", "events"), ("peer events/s", "peer.events_per_s")]) == (
        "| events | peer events/s |\n|---|---|\n| 1,000 | 250 |\n| 20 |  |"
    )


def test_bench_population_has_distinct_valid_niks_beyond_make_workers_period():
    from bench.population import new_workers
    from domain.nik import nik_problem

    workers = new_workers(2_000, skip=29_000)  # across 30,000, where make_worker's NIKs repeat
    assert len({w["nik"] for w in workers}) == len(workers)
    assert all(nik_problem(w["nik"]) is None for w in workers)
    with pytest.raises(ValueError):
        new_workers(2, skip=999_999)


def test_simulator_memory_figures_per_phase():
    mib = 2**20
    generating = [[10 * mib], [10 * mib, 60 * mib, 50 * mib], [12 * mib, 70 * mib, 55 * mib], [11 * mib, 65 * mib, 60 * mib]]
    sorting = [[11 * mib, 95 * mib, 90 * mib], [11 * mib, 80 * mib]]
    assert memory_figures(generating, sorting) == {
        "peak_process_rss_mib": 95, "generating_first_quarter_rss_mib": 10,
        "generating_last_quarter_rss_mib": 136, "sorting_rss_mib": 196}
    assert memory_figures([], []) == dict.fromkeys(memory_figures(generating, sorting))


def test_line_counter_counts_only_what_was_added(tmp_path):
    path = tmp_path / "people.jsonl"
    counter = LineCounter(path)
    assert counter.count() == 0  # not created yet
    path.write_bytes(b"{}\n{}\n{")
    assert counter.count() == 2
    with path.open("ab") as file:
        file.write(b"}\n{}\n")
    assert counter.count() == 4
