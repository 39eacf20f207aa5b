"""Which figures of each scenario's result make its table, and their headers."""
from __future__ import annotations

from bench.table import flatten, markdown_table

COLUMNS = {
    "replay": [("guarantee", "guarantee"), ("events", "events"), ("pantau events/s", "events_per_s"),
               ("pantau steady events/s", "steady_events_per_s"), ("pantau events/CPU-s", "events_per_cpu_s"),
               ("pantau start-up s", "startup_seconds"), ("pantau peak RSS MiB", "peak_rss_mib"),
               ("peer events/s", "peer.events_per_s"), ("peer events/CPU-s", "peer.events_per_cpu_s"),
               ("ceiling events/s", "ceiling.events_per_s"), ("ceiling events/CPU-s", "ceiling.events_per_cpu_s"),
               ("confluent ceiling events/s", "ceiling_confluent.events_per_s"),
               ("confluent ceiling events/CPU-s", "ceiling_confluent.events_per_cpu_s"),
               ("pantau/peer", "pantau_over_peer"), ("pantau/peer (CPU)", "pantau_over_peer_cpu"),
               ("pantau/ceiling", "pantau_over_ceiling"), ("pantau/ceiling (CPU)", "pantau_over_ceiling_cpu")],
    "latency": [("rate/s", "rate"), ("seconds", "seconds"), ("sent", "sent"), ("achieved rate/s", "achieved_rate"),
                ("processed/s", "processed_per_s"), ("state p50 ms", "state.p50_ms"), ("state p95 ms", "state.p95_ms"),
                ("state p99 ms", "state.p99_ms"), ("state max ms", "state.max_ms"), ("alerts", "alert.count"),
                ("alert p50 ms", "alert.p50_ms"), ("alert p95 ms", "alert.p95_ms"), ("alert p99 ms", "alert.p99_ms"),
                ("drain s", "drain_seconds"), ("missing", "states_missing"), ("idle s", "idle_seconds"),
                ("after idle: state ms", "after_idle_state_ms"), ("after idle: alert ms", "after_idle_alert_ms")],
    "recovery": [("guarantee", "guarantee"), ("workers", "workers"), ("load events/s", "load_events_per_s"),
                 ("from local store s", "local.seconds"), ("from changelog only s", "empty.seconds"),
                 ("redelivered (local)", "local.redelivered"), ("redelivered (empty)", "empty.redelivered"),
                 ("final state = fold", "equals_fold")],
    "memory": [("workers", "workers"), ("events", "events"), ("peak RSS MiB", "peak_rss_mib"),
               ("RSS at start MiB", "startup_rss_mib"), ("KiB per worker", "kib_per_worker")],
    "simulator": [("workers", "workers"), ("processes", "processes"), ("events", "events"), ("seconds", "seconds"),
                  ("events/s", "events_per_s"), ("CPU s", "cpu_seconds"), ("events/CPU-s", "events_per_cpu_s"),
                  ("peak RSS of a process MiB", "peak_process_rss_mib"),
                  ("all processes, generating, first quarter MiB", "generating_first_quarter_rss_mib"),
                  ("all processes, generating, last quarter MiB", "generating_last_quarter_rss_mib"),
                  ("all processes, sorting MiB", "sorting_rss_mib")],
    "scaleout": [("partitions", "partitions"), ("events", "events"), ("1 process events/s", "one.events_per_s"),
                 ("2 processes events/s", "two.events_per_s"), ("ratio", "ratio"),
                 ("1 process events/CPU-s", "one.events_per_cpu_s"), ("2 processes events/CPU-s", "two.events_per_cpu_s")],
}


def table(scenario: str, results: list[dict]) -> str:
    return markdown_table([flatten(result) for result in results], COLUMNS[scenario])


def summary(scenario: str, result: dict) -> str:
    return table(scenario, [result])
