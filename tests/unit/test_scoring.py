from collections import Counter
from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.scoring import (
    MISSING,
    Contingency,
    alert_scores,
    clustering_score,
    count_error,
    identity_score,
    status_score,
)

# Records as (person, worker) assignments.
assignments = st.lists(st.tuples(st.sampled_from("ABCDE"), st.sampled_from("wxyz")), max_size=40)


def _brute_force_pairwise(records: list[tuple[str, str]]) -> tuple[float, float]:
    pairs = list(combinations(records, 2))
    same_person = {i for i, (a, b) in enumerate(pairs) if a[0] == b[0]}
    same_worker = {i for i, (a, b) in enumerate(pairs) if a[1] == b[1]}
    precision = len(same_person & same_worker) / len(same_worker) if same_worker else 1.0
    recall = len(same_person & same_worker) / len(same_person) if same_person else 1.0
    return precision, recall


def _brute_force_bcubed(records: list[tuple[str, str]]) -> tuple[float, float]:
    precision = recall = 0.0
    for person, worker in records:
        both = sum(1 for p, w in records if p == person and w == worker)
        precision += both / sum(1 for _p, w in records if w == worker)
        recall += both / sum(1 for p, _w in records if p == person)
    return precision / len(records), recall / len(records)


@given(assignments)
def test_pairwise_and_bcubed_from_the_contingency_table_equal_counting_every_pair(records):
    score = identity_score(Contingency.of(records))

    if not records:
        assert score.records == 0 and score.pairwise_f1 is None
        return
    assert (score.pairwise_precision, score.pairwise_recall) == pytest.approx(_brute_force_pairwise(records))
    assert (score.bcubed_precision, score.bcubed_recall) == pytest.approx(_brute_force_bcubed(records))


def test_a_perfect_clustering_scores_one_whatever_the_workers_are_called():
    score = identity_score(Contingency.of([("A", "w1"), ("A", "w1"), ("B", "w2"), ("B", "w2"), ("C", "w3")]))

    assert (score.pairwise_f1, score.bcubed_f1) == (1.0, 1.0)
    assert (score.records, score.persons, score.workers) == (5, 3, 3)


def test_a_split_person_costs_recall_and_a_merge_costs_precision():
    split = identity_score(Contingency.of([("A", "w1"), ("A", "w1"), ("A", "w2"), ("B", "w3")]))
    merged = identity_score(Contingency.of([("A", "w1"), ("A", "w1"), ("B", "w1"), ("C", "w2")]))

    assert split.pairwise_precision == 1.0 and split.pairwise_recall == pytest.approx(1 / 3)
    assert merged.pairwise_recall == 1.0 and merged.pairwise_precision == pytest.approx(1 / 3)
    assert split.bcubed_precision == 1.0 and split.bcubed_recall < 1.0


def test_clustering_score_joins_records_by_key_and_leaves_out_records_no_cluster_holds():
    person_of = {"e1": "A", "e2": "A", "e3": "B", "e4": "B"}
    cluster_of = {"e1": 7, "e2": 7, "e3": 7, "x9": 8}  # e4 was never clustered; x9 is not in the truth

    score = clustering_score(person_of, cluster_of)

    assert score == identity_score(Contingency.of([("A", 7), ("A", 7), ("B", 7)]))
    assert (score.records, score.pairwise_precision, score.pairwise_recall) == (3, pytest.approx(1 / 3), 1.0)


def test_main_worker_and_main_person_take_the_majority_and_break_ties_by_smallest_id():
    table = Contingency.of([("A", "w2"), ("A", "w2"), ("A", "w1"), ("B", "w3"), ("B", "w1"), ("C", "w3")])

    assert table.main_worker() == {"A": "w2", "B": "w1", "C": "w3"}
    assert table.main_person() == {"w1": "A", "w2": "A", "w3": "B"}


def test_status_score_counts_a_person_never_seen_as_missing():
    score = status_score(
        {"A": "PLACED", "B": "RETURNED", "C": "DEPARTED"},
        {"w1": "PLACED", "w2": "PLACED"},
        {"A": "w1", "B": "w2"},
    )

    assert (score.persons, score.correct) == (3, 1)
    assert score.accuracy == pytest.approx(1 / 3)
    assert score.confusion == Counter({("PLACED", "PLACED"): 1, ("RETURNED", "PLACED"): 1, ("DEPARTED", MISSING): 1})


def test_alert_scores_per_rule_count_distinct_subjects():
    expected = [("OVERSTAY", "A"), ("OVERSTAY", "B"), ("SPIKE", ("P3MI", "P3MI-0042"))]
    raised = [("OVERSTAY", "A"), ("OVERSTAY", "A"), ("OVERSTAY", "C"), ("UNDERAGE_DEPARTURE", "D")]

    scores = alert_scores(expected, raised)

    assert list(scores) == ["OVERSTAY", "SPIKE", "UNDERAGE_DEPARTURE"]
    overstay = scores["OVERSTAY"]
    assert (overstay.expected, overstay.raised, overstay.matched) == (2, 2, 1)
    assert overstay.precision == 0.5 and overstay.recall == 0.5
    assert scores["SPIKE"].precision is None and scores["SPIKE"].recall == 0.0  # nothing raised: no precision to judge
    assert scores["UNDERAGE_DEPARTURE"].recall is None and scores["UNDERAGE_DEPARTURE"].precision == 0.0


def test_count_error_sums_absolute_errors_and_names_the_worst_value():
    error = count_error({"MY": 100, "TW": 80, "HK": 5}, {"MY": 97, "TW": 90, "SG": 2})

    assert (error.values, error.true_total, error.predicted_total) == (4, 185, 189)
    assert error.absolute_error == 3 + 10 + 5 + 2
    assert (error.worst_value, error.worst_error) == ("TW", 10)
    assert error.relative_error == pytest.approx(20 / 185)


def test_count_error_of_nothing_is_zero():
    error = count_error({}, {})

    assert (error.absolute_error, error.worst_value, error.relative_error) == (0, None, None)
