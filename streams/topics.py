"""Topic names and their layout. One place, so that the prefix rule (DESIGN §9) cannot be forgotten."""
from __future__ import annotations

from dataclasses import dataclass, field

from domain.vocabulary import SOURCE_KINDS

COMPACTED = {"cleanup.policy": "compact"}
# Reference data kinds (DESIGN §5), as ``pantau reference publish`` names them; domain.reference
# reads each. Spelled here too so that naming a topic does not import the CSV checks.
REFERENCE_KINDS = ("p3mi-licences", "destination-policy")


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    configs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TopicNames:
    prefix: str

    def ingest(self, source_kind: str) -> str:
        """The ingest topic of one source kind, e.g. ``pmi.ingest.p3mi``."""
        if source_kind not in SOURCE_KINDS:
            raise ValueError(f"unknown source kind {source_kind!r}; expected one of {', '.join(SOURCE_KINDS)}")
        return f"{self.prefix}.ingest.{source_kind.lower().replace('_', '-')}"

    @property
    def ingest_kinds(self) -> dict[str, str]:
        """Ingest topic → the source kind that publishes on it."""
        return {self.ingest(kind): kind for kind in SOURCE_KINDS}

    def reference(self, kind: str) -> str:
        """The compacted topic of one kind of reference data, e.g. ``pmi.ref.p3mi-licences``."""
        if kind not in REFERENCE_KINDS:
            raise ValueError(f"unknown reference kind {kind!r}; expected one of {', '.join(REFERENCE_KINDS)}")
        return f"{self.prefix}.ref.{kind}"

    @property
    def all_ingest(self) -> list[str]:
        return [self.ingest(kind) for kind in SOURCE_KINDS]

    @property
    def consumed(self) -> set[str]:
        """The topics the pipeline's agents consume: their partitions are what a worker owns,
        and their lag is what health and ``pantau_consumer_lag`` watch."""
        return {*self.all_ingest, self.validated, self.by_worker, self.alerts, self.incidents}

    @property
    def dead_letter(self) -> str:
        return f"{self.prefix}.dead-letter"

    @property
    def validated(self) -> str:
        """Validated events in arrival order, one partition: the identity resolver's input, so
        that one process decides every link in one order (docs/identity.md)."""
        return f"{self.prefix}.events-validated"

    @property
    def identity_audit(self) -> str:
        """One record per merge of workers (schemas/identity_merge)."""
        return f"{self.prefix}.identity-audit"

    @property
    def by_worker(self) -> str:
        """Validated events re-keyed by worker, so one partition owns each worker's state."""
        return f"{self.prefix}.events-by-worker"

    @property
    def worker_state(self) -> str:
        return f"{self.prefix}.worker-state"

    @property
    def alerts(self) -> str:
        return f"{self.prefix}.alerts"

    @property
    def incidents(self) -> str:
        """Workers' SPIKE incidents re-keyed by subject (KIND:ID), so one partition owns each subject."""
        return f"{self.prefix}.incidents"

    @property
    def counts(self) -> str:
        return f"{self.prefix}.counts"

    def specs(self, partitions: int) -> list[TopicSpec]:
        """Every topic the pipeline reads or writes, with its partition count and configuration."""
        keyed = [
            TopicSpec(name, partitions)
            for name in (*self.all_ingest, self.dead_letter, self.by_worker, self.alerts, self.incidents, self.identity_audit)
        ]
        sequenced = [TopicSpec(self.validated, 1)]
        compacted = [TopicSpec(name, partitions, COMPACTED) for name in (self.worker_state, self.counts)]
        # One partition each: a few hundred rows that every worker reads whole, whatever partitions
        # it owns; more partitions would add no parallelism, only more to read.
        reference = [TopicSpec(self.reference(kind), 1, COMPACTED) for kind in REFERENCE_KINDS]
        return keyed + sequenced + compacted + reference
