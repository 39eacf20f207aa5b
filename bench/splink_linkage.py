"""Splink (batch, DuckDB) on the records the streaming resolver sees, scored the same way.

    python -m bench.splink_linkage DIR [--json] [--threshold W]

The yardstick for ``domain.identity``: one record per distinct event of DIR/events.jsonl, with
the identity fields the resolver reads (``record_of``: NIK, passport, source-local id, the name
normalised by ``domain.identity.names``, birth date, sex, origin regency), deduplicated by a
Fellegi-Sunter model in the manner of ours — NIK, passport and local id as strong exact-match
evidence, names at our Jaro-Winkler levels, birth date, sex and regency — trained by EM, its
links clustered (connected components) and scored against DIR/truth by
``domain.scoring.clustering_score``, as ``bench.identity_quality`` scores the resolver.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

import duckdb
import pyarrow as pa
import splink
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from bench.identity_quality import distinct_records
from domain.identity.comparisons import DEFAULT, Thresholds
from domain.identity.resolver import Record, Weights
from domain.scoring import clustering_score
from streams.errors import UserError
from streams.score import load_truth

SCHEMA = pa.schema([
    ("unique_id", pa.string()),
    ("nik", pa.string()),
    ("passport", pa.string()),
    ("local_id", pa.string()),  # SOURCEID:LOCALID, as the resolver keys it
    ("given_name", pa.string()),  # the given names, normalised, space-separated
    ("name_letters", pa.string()),  # the same without the spaces (NUR HAYATI = NURHAYATI)
    ("name_tokens", pa.list_(pa.string())),
    ("patronym", pa.string()),
    ("date_of_birth", pa.date32()),
    ("sex", pa.string()),
    ("regency", pa.string()),
])

# Splink's u for NIK and passport from random pairs, and the bar for a link, rest on these.
U_SAMPLE_PAIRS = 5e6
SEED = 1
# Pairs sharing a NIK or a passport are the same person, but they miss many true pairs:
# a passport-only embassy report shares nothing with its person's training-centre record.
# Splink asks for the rules' recall as a guess; it sets only the prior, which the default
# threshold (below) takes out again.
DETERMINISTIC_RECALL = 0.7


def splink_row(record: Record) -> dict:
    """One event as a row of Splink's input; a missing field is null, never an empty string
    (Splink's null levels then weigh it as no evidence, as the resolver does)."""
    name = record.name
    return {
        "unique_id": record.event_key,
        "nik": record.nik,
        "passport": record.passport,
        "local_id": record.local_id,
        "given_name": " ".join(name.given) or None,
        "name_letters": name.joined or None,
        "name_tokens": list(name.given) or None,
        "patronym": name.patronym,
        "date_of_birth": record.date_of_birth,
        "sex": record.sex,
        "regency": record.regency,
    }


def _null(sql: str, label: str) -> cll.CustomLevel:
    return cll.CustomLevel(sql, label).configure(is_null_level=True)


def comparisons(thresholds: Thresholds = DEFAULT) -> list:
    """The resolver's evidence as Splink comparisons, level for level (``domain.identity.comparisons``)."""
    joined_jw = "jaro_winkler_similarity(name_letters_l, name_letters_r)"
    return [
        cl.CustomComparison(output_column_name="nik", comparison_levels=[
            cll.NullLevel("nik"),
            cll.ExactMatchLevel("nik"),
            # Random sampling meets no two people whose NIKs are one digit apart, so it cannot
            # estimate this u: fixed at the rule-of-three bound for none seen in the sample.
            cll.CustomLevel("levenshtein(nik_l, nik_r) = 1 AND length(nik_l) = length(nik_r)", "one digit apart: a typo")
            .configure(u_probability=3 / U_SAMPLE_PAIRS, fix_u_probability=True),
            cll.ElseLevel(),
        ]),
        cl.ExactMatch("passport"),
        # Local ids of different sources are different numbering schemes: no evidence either way.
        cl.CustomComparison(output_column_name="local_id", comparison_levels=[
            _null("local_id_l IS NULL OR local_id_r IS NULL OR split_part(local_id_l, ':', 1) <> split_part(local_id_r, ':', 1)",
                  "null, or ids of different sources"),
            cll.ExactMatchLevel("local_id"),
            cll.ElseLevel(),
        ]),
        cl.CustomComparison(output_column_name="name", comparison_levels=[
            cll.NullLevel("given_name"),
            cll.CustomLevel("given_name_l = given_name_r", "SAME"),
            cll.CustomLevel("name_letters_l = name_letters_r", "SAME_LETTERS"),
            cll.CustomLevel(f"{joined_jw} >= {thresholds.very_similar_name}", "VERY_SIMILAR"),
            cll.CustomLevel("list_has_all(name_tokens_l, name_tokens_r) OR list_has_all(name_tokens_r, name_tokens_l)", "SUBSET"),
            cll.CustomLevel(f"{joined_jw} >= {thresholds.similar_name}", "SIMILAR"),
            cll.ElseLevel(),
        ]),
        cl.CustomComparison(output_column_name="patronym", comparison_levels=[
            cll.NullLevel("patronym"),
            cll.JaroWinklerLevel("patronym", thresholds.similar_patronym),
            cll.ElseLevel(),
        ]),
        cl.CustomComparison(output_column_name="date_of_birth", comparison_levels=[
            cll.NullLevel("date_of_birth"),
            cll.ExactMatchLevel("date_of_birth"),
            cll.CustomLevel(
                "year(date_of_birth_l) = year(date_of_birth_r) AND ("
                "(month(date_of_birth_l) = day(date_of_birth_r) AND day(date_of_birth_l) = month(date_of_birth_r))"
                " OR hamming(strftime(date_of_birth_l, '%m%d'), strftime(date_of_birth_r, '%m%d')) = 1)",
                "TRANSPOSED: day and month swapped, or one digit off",
            ),
            cll.ElseLevel(),
        ]),
        cl.ExactMatch("sex"),
        cl.CustomComparison(output_column_name="regency", comparison_levels=[
            cll.NullLevel("regency"),
            cll.ExactMatchLevel("regency"),
            cll.CustomLevel("left(regency_l, 2) = left(regency_r, 2)", "same province"),
            cll.ElseLevel(),
        ]),
    ]


def settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons(),
        # The resolver's candidates: records sharing a strong key, or born the same day.
        blocking_rules_to_generate_predictions=[
            block_on("nik"), block_on("passport"), block_on("local_id"), block_on("date_of_birth"),
        ],
        retain_matching_columns=False,
    )


def evidence_threshold(prior: float, bits: float) -> float:
    """Splink's match weight is log2 of the posterior odds — the prior odds of two random
    records matching plus the fields' evidence. Ours is the fields' evidence alone, compared
    within a birth-date block. Linking at ``bits`` of evidence is linking at this match weight."""
    return bits + math.log2(prior / (1 - prior))


def link(rows: Iterable[dict], threshold: float | None, progress: Progress) -> tuple[dict[str, str], dict]:
    """record id → cluster id, and what the run learnt and took."""
    stage = progress.add_task("splink", total=5)
    seconds: dict[str, float] = {}

    def done(name: str, started: float) -> float:
        seconds[name] = round(time.perf_counter() - started, 1)
        progress.update(stage, advance=1, description=f"splink: {name} done")
        return time.perf_counter()

    started = time.perf_counter()
    table = pa.Table.from_pylist(list(rows), schema=SCHEMA)
    with tempfile.TemporaryDirectory(prefix="splink-") as spill:
        connection = duckdb.connect()
        # A shared machine: let DuckDB spill to disk rather than take most of the memory.
        connection.execute(f"SET memory_limit = '6GB'; SET temp_directory = '{spill}'")
        db_api = DuckDBAPI(connection)
        linker = Linker(db_api.register(table, table_name="records"), settings(), log_level=None)
        started = done("load", started)

        linker.training.estimate_probability_two_random_records_match(
            [block_on("nik"), block_on("passport")], recall=DETERMINISTIC_RECALL,
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=SEED)
        # Each EM session estimates every m but those of the fields it blocks on.
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name"))
        started = done("train", started)

        model = linker.misc.save_model_to_json()
        prior = model["probability_two_random_records_match"]
        if threshold is None:
            threshold = evidence_threshold(prior, Weights().match)
        predictions = linker.inference.predict(threshold_match_weight=threshold)
        started = done("predict", started)

        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold_match_weight=threshold)
        cluster_of = dict(
            connection.execute(f"SELECT unique_id, cluster_id FROM {clusters.physical_name}").fetchall()
        )
        links = connection.execute(f"SELECT count(*) FROM {predictions.physical_name}").fetchone()[0]
        done("cluster", started)
        connection.close()
    progress.update(stage, advance=1)
    return cluster_of, {
        "threshold_match_weight": round(threshold, 3),
        "probability_two_random_records_match": prior,
        "links_at_threshold": links,
        "seconds": seconds,
        "match_weights": _match_weights(model),
    }


def _match_weights(model: dict) -> dict[str, dict[str, float | None]]:
    """Each comparison level's trained weight, log2(m/u), as the model holds it."""
    weights = {}
    for comparison in model["comparisons"]:
        levels = {}
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            levels[level.get("label_for_charts", level["sql_condition"])] = round(math.log2(m / u), 2) if m and u else None
        weights[comparison["output_column_name"]] = levels
    return weights


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.splink_linkage", description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--json", action="store_true", help="one JSON line instead of tables")
    parser.add_argument(
        "--threshold", type=float, default=None, metavar="W",
        help="link at this Splink match weight (default: the resolver's match evidence, Weights.match, plus Splink's prior)",
    )
    args = parser.parse_args(argv)
    try:
        truth = load_truth(args.directory)
    except UserError as exc:
        print(f"splink_linkage: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    with Progress(console=Console(stderr=True), transient=True) as progress:
        rows = [splink_row(record) for record in distinct_records(args.directory / "events.jsonl", progress)]
        reading = time.perf_counter() - started
        cluster_of, run = link(rows, args.threshold, progress)
    run["seconds"] = {"read": round(reading, 1), **run["seconds"], "total": round(time.perf_counter() - started, 1)}
    score = clustering_score(truth.person_of, cluster_of)
    result = {"population": str(args.directory), "splink": splink.__version__, "duckdb": duckdb.__version__, **run, **asdict(score)}
    if args.json:
        print(json.dumps(result))
    else:
        _print(result, Console())
    return 0


def _print(result: dict, console: Console) -> None:
    console.print(
        f"[bold]Splink {result['splink']}[/] (DuckDB {result['duckdb']}) on {result['population']}: "
        f"{result['records']:,} records, {result['workers']:,} clusters for {result['persons']:,} people, "
        f"{result['links_at_threshold']:,} links at match weight ≥ {result['threshold_match_weight']}, "
        f"{result['seconds']['total']} s"
    )
    quality = Table(title="against the truth", title_justify="left")
    for column in ("figure", "precision", "recall", "F1"):
        quality.add_column(column, justify="left" if column == "figure" else "right")
    for kind in ("pairwise", "bcubed"):
        quality.add_row(kind, *(f"{result[f'{kind}_{part}']:.4f}" for part in ("precision", "recall", "f1")))
    console.print(quality)
    weights = Table(title="trained match weights, log2(m/u)", title_justify="left")
    weights.add_column("comparison")
    weights.add_column("level")
    weights.add_column("weight", justify="right")
    for comparison, levels in result["match_weights"].items():
        for level, weight in levels.items():
            weights.add_row(comparison, level, "untrained" if weight is None else f"{weight:+.2f}")
    console.print(weights)
    console.print("seconds: " + ", ".join(f"{stage} {s}" for stage, s in result["seconds"].items()))


if __name__ == "__main__":
    sys.exit(main())
