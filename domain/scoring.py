"""How close the pipeline's picture is to a simulated population's ground truth.

Plain functions over plain data, so ``pantau score`` (which reads the topics and the truth
files) and the tests share one definition of every figure:

* identity — each distinct event is a record; the truth puts it in a person, the pipeline in a
  worker. Pairwise precision/recall count pairs of records put together; B-cubed averages, per
  record, how much of its worker is its person and how much of its person is its worker.
  Both come from the person × worker contingency table, never from the pairs themselves.
* status — each person against the worker holding most of their records.
* alerts — per rule, the (rule, subject) pairs raised against those the truth expects.
* counts — per dimension, the pipeline's canonical counts against the true ones.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

MISSING = "MISSING"  # the status of a person none of whose records reached a worker


def _f1(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None:
        return None
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Contingency:
    """Records per (person, worker), and the margins."""

    cells: Counter
    persons: Counter
    workers: Counter

    @classmethod
    def of(cls, assignments: Iterable[tuple[Hashable, Hashable]]) -> "Contingency":
        cells = Counter(assignments)
        persons, workers = Counter(), Counter()
        for (person, worker), n in cells.items():
            persons[person] += n
            workers[worker] += n
        return cls(cells, persons, workers)

    @property
    def records(self) -> int:
        return sum(self.persons.values())

    def main_worker(self) -> dict[Hashable, Hashable]:
        """person → the worker holding most of their records (ties: the smallest id, for stability)."""
        return _argmax((person, worker, n) for (person, worker), n in self.cells.items())

    def main_person(self) -> dict[Hashable, Hashable]:
        """worker → the person most of its records belong to."""
        return _argmax((worker, person, n) for (person, worker), n in self.cells.items())


def _argmax(triples: Iterable[tuple[Hashable, Hashable, int]]) -> dict:
    best: dict = {}
    # Sorted, and replaced only by a strictly larger count: a tie goes to the smallest id.
    for owner, candidate, n in sorted(triples, key=lambda t: (str(t[0]), str(t[1]))):
        if owner not in best or n > best[owner][1]:
            best[owner] = (candidate, n)
    return {owner: candidate for owner, (candidate, _n) in best.items()}


@dataclass(frozen=True)
class IdentityScore:
    records: int
    persons: int
    workers: int
    pairwise_precision: float | None
    pairwise_recall: float | None
    pairwise_f1: float | None
    bcubed_precision: float | None
    bcubed_recall: float | None
    bcubed_f1: float | None


def identity_score(table: Contingency) -> IdentityScore:
    """Pairwise and B-cubed precision/recall/F1. A side with no pairs to judge scores 1.0
    (no link claimed means none wrong), and an empty table scores nothing (None)."""
    if not table.records:
        return IdentityScore(0, 0, 0, None, None, None, None, None, None)

    def pairs(counts: Iterable[int]) -> int:
        return sum(n * (n - 1) // 2 for n in counts)

    together, predicted, true = pairs(table.cells.values()), pairs(table.workers.values()), pairs(table.persons.values())
    precision = together / predicted if predicted else 1.0
    recall = together / true if true else 1.0
    squares = [(n * n, person, worker) for (person, worker), n in table.cells.items()]
    b_precision = sum(sq / table.workers[worker] for sq, _p, worker in squares) / table.records
    b_recall = sum(sq / table.persons[person] for sq, person, _w in squares) / table.records
    return IdentityScore(
        table.records, len(table.persons), len(table.workers),
        precision, recall, _f1(precision, recall), b_precision, b_recall, _f1(b_precision, b_recall),
    )


def clustering_score(person_of: Mapping[Hashable, Hashable], cluster_of: Mapping[Hashable, Hashable]) -> IdentityScore:
    """``identity_score`` of a clustering of records (record → cluster) against the truth
    (record → person), over the records the truth knows that were clustered: one definition
    for every linker the benchmarks compare."""
    return identity_score(Contingency.of((person, cluster_of[key]) for key, person in person_of.items() if key in cluster_of))


@dataclass(frozen=True)
class StatusScore:
    persons: int
    correct: int
    confusion: Counter  # (true status, predicted status) → persons

    @property
    def accuracy(self) -> float | None:
        return _ratio(self.correct, self.persons)


def status_score(
    true_status: Mapping[Hashable, str], predicted_status: Mapping[Hashable, str], main_worker: Mapping[Hashable, Hashable]
) -> StatusScore:
    """Each person's true final status against the status of their main worker."""
    confusion = Counter()
    for person, status in true_status.items():
        worker = main_worker.get(person)
        confusion[status, predicted_status.get(worker, MISSING) if worker is not None else MISSING] += 1
    correct = sum(n for (true, predicted), n in confusion.items() if true == predicted)
    return StatusScore(len(true_status), correct, confusion)


@dataclass(frozen=True)
class RuleScore:
    expected: int
    raised: int
    matched: int

    @property
    def precision(self) -> float | None:
        return _ratio(self.matched, self.raised)

    @property
    def recall(self) -> float | None:
        return _ratio(self.matched, self.expected)


def alert_scores(expected: Iterable[tuple[str, Hashable]], raised: Iterable[tuple[str, Hashable]]) -> dict[str, RuleScore]:
    """Per rule: the distinct subjects expected, raised, and both. A subject is any hashable that
    names the same thing on both sides (for a worker alert, the person behind the worker)."""
    wanted, got = defaultdict(set), defaultdict(set)
    for rule, subject in expected:
        wanted[rule].add(subject)
    for rule, subject in raised:
        got[rule].add(subject)
    return {
        rule: RuleScore(len(wanted[rule]), len(got[rule]), len(wanted[rule] & got[rule]))
        for rule in sorted(wanted.keys() | got.keys())
    }


@dataclass(frozen=True)
class CountError:
    values: int  # dimension values on either side
    true_total: int
    predicted_total: int
    absolute_error: int  # the sum over values of |predicted - true|
    worst_value: str | None
    worst_error: int  # predicted - true at the worst value

    @property
    def relative_error(self) -> float | None:
        return _ratio(self.absolute_error, self.true_total)


def count_error(true: Mapping[str, int], predicted: Mapping[str, int]) -> CountError:
    values = sorted(true.keys() | predicted.keys())
    errors = {value: predicted.get(value, 0) - true.get(value, 0) for value in values}
    worst = max(values, key=lambda value: (abs(errors[value]), value), default=None)
    return CountError(
        len(values), sum(true.values()), sum(predicted.values()), sum(abs(e) for e in errors.values()),
        worst, errors[worst] if worst is not None else 0,
    )
