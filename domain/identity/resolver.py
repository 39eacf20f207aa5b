"""Identity resolution, one event at a time: which canonical worker an event is about.

An ``Index`` holds what is known of the workers seen so far — which worker each identifier
(NIK, passport, source-local id) belongs to, each worker's profile (names, birth dates, sex,
regencies), and the workers born on each date — in mappings the caller provides: plain dicts in
tests, a stream's tables in production. ``resolve`` decides for one event's ``Record``:

1. **Strong keys.** A known NIK, passport or local id names its worker. A NIK is for life: two
   different NIKs are two people, so a passport or local id never links records with different
   NIKs (that is an IDENTITY_CONFLICT for the rules) — except a NIK typo, recognised as the same
   birth date and sex and a name at least VERY_SIMILAR (SIMILAR or SUBSET when the NIKs are one
   digit apart). When the keys name several workers they
   are one person: merged.
2. **Scored match.** With no strong key known, the record is compared with the workers born on
   the same date (the block): names (``comparisons``), patronymic, sex, origin regency. At or
   above ``Weights.match`` it joins the best; between ``Weights.review`` and that, it starts a new
   worker and names the candidate for review (POSSIBLE_DUPLICATE); below, a new worker.
3. **Canonical ids.** A worker's id is ``worker_id_for`` its strongest key (NIK over passport
   over local id, then the smallest), so a cluster linked by strong keys gets the same id in any
   arrival order. When a record brings a stronger key (a NIK to a passport-only worker) or joins
   two workers, the old ids are merged into the new one and redirect to it: every id ever given
   still finds the worker.
"""
from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field, replace
from datetime import date

from domain.identity.comparisons import (
    DEFAULT,
    NameLevel,
    PatronymLevel,
    Thresholds,
    compare_names,
    compare_patronyms,
    one_character_apart,
)
from domain.identity.names import Name, normalise
from domain.lifecycle import worker_id_for
from domain.nik import nik_birth_date_and_sex
from domain.validation import normalise_passport

NIK, PASSPORT, LOCAL, WORKER = "NIK", "PASSPORT", "LOCAL", "WORKER"
_KEY_RANK = {NIK: 0, PASSPORT: 1, LOCAL: 2}


@dataclass(frozen=True)
class Record:
    """The identity fields of one event."""

    event_key: str
    nik: str | None
    passport: str | None
    local_id: str | None  # SOURCEID:LOCALID
    name: Name
    date_of_birth: date | None
    sex: str | None
    regency: str | None

    @property
    def keys(self) -> list[str]:
        """Its strong keys, strongest first, as the index names them."""
        pairs = ((NIK, self.nik), (PASSPORT, self.passport), (LOCAL, self.local_id))
        return [f"{kind}:{value}" for kind, value in pairs if value]

    @property
    def block(self) -> date | None:
        """The birth date its candidates share: the NIK's, when it has one — the NIK survives a
        clerk's slip in the date-of-birth field."""
        if self.nik:
            born, _sex = nik_birth_date_and_sex(self.nik)
            if born:
                return born
        return self.date_of_birth


def record_of(event: dict) -> Record:
    worker = event["worker"]
    local = worker.get("local_id")
    passport = worker.get("passport_no")
    return Record(
        event_key=f"{event['source']['id']}:{event['event_id']}",
        nik=worker.get("nik") or None,
        passport=normalise_passport(passport) if passport else None,
        local_id=f"{event['source']['id']}:{local}" if local else None,
        name=normalise(worker.get("full_name")),
        date_of_birth=worker.get("date_of_birth"),
        sex=worker.get("sex"),
        regency=worker.get("origin_regency"),
    )


@dataclass(frozen=True)
class Profile:
    """What the index knows of one worker: every value seen, for comparing new records."""

    worker_id: str
    keys: frozenset[str] = frozenset()
    names: frozenset[Name] = frozenset()
    birth_dates: frozenset[date] = frozenset()
    sexes: frozenset[str] = frozenset()
    regencies: frozenset[str] = frozenset()

    @property
    def niks(self) -> set[str]:
        return {key for key in self.keys if key.startswith(f"{NIK}:")}

    def with_record(self, record: Record) -> "Profile":
        return replace(
            self,
            keys=self.keys | set(record.keys),
            names=self.names | {record.name} if record.name.given else self.names,
            birth_dates=self.birth_dates | {d for d in (record.date_of_birth, record.block) if d},
            sexes=self.sexes | ({record.sex} if record.sex else set()),
            regencies=self.regencies | ({record.regency} if record.regency else set()),
        )

    def union(self, other: "Profile") -> "Profile":
        return replace(
            self, keys=self.keys | other.keys, names=self.names | other.names, birth_dates=self.birth_dates | other.birth_dates,
            sexes=self.sexes | other.sexes, regencies=self.regencies | other.regencies,
        )


@dataclass(frozen=True)
class Weights:
    """Evidence for "same person", in log2 odds, and the thresholds on their sum. Configuration:
    chosen on the simulator's population (docs/identity.md gives the figures)."""

    name: dict = field(default_factory=lambda: {
        NameLevel.SAME: 8.0, NameLevel.SAME_LETTERS: 7.0, NameLevel.VERY_SIMILAR: 5.0,
        NameLevel.SUBSET: 3.0, NameLevel.SIMILAR: 1.0, NameLevel.DIFFERENT: -8.0,
    })
    patronym: dict = field(default_factory=lambda: {
        PatronymLevel.AGREE: 3.0, PatronymLevel.UNKNOWN: 0.0, PatronymLevel.DISAGREE: -6.0,
    })
    same_sex: float = 0.5
    other_sex: float = -10.0
    same_regency: float = 2.0
    same_province: float = 0.5
    other_province: float = -2.0
    other_nik: float = -20.0  # a NIK is for life
    match: float = 10.0
    review: float = 5.0
    thresholds: Thresholds = DEFAULT


@dataclass(frozen=True)
class Decision:
    worker_id: str
    how: str  # NIK, PASSPORT, LOCAL (the strong key that linked), MATCH (scored), NEW
    merged: tuple[str, ...] = ()  # workers this record showed to be the same person, now worker_id
    score: float | None = None  # the best candidate's score, when one was scored
    review: tuple[str, ...] = ()  # candidates between review and match: possible duplicates


@dataclass(frozen=True)
class Plan:
    """A decision and the winner's profile after it: what ``Index.apply`` writes."""

    decision: Decision
    profile: Profile


class Index:
    def __init__(
        self,
        by_key: MutableMapping[str, str],
        profiles: MutableMapping[str, Profile],
        born_on: MutableMapping[date, tuple[str, ...]],
        weights: Weights | None = None,
    ):
        self.by_key, self.profiles, self.born_on = by_key, profiles, born_on
        self.weights = weights or Weights()

    def worker_of(self, key: str) -> str | None:
        """The current worker of a strong key, or of any worker id ever given (``WORKER:id``)."""
        found = key.split(":", 1)[1] if key.startswith(f"{WORKER}:") else self.by_key.get(key)
        # Merges leave redirects; follow them to the worker that absorbed this one.
        while found is not None and found not in self.profiles:
            found = self.by_key.get(f"{WORKER}:{found}")
        return found

    def resolve(self, record: Record) -> Decision:
        plan = self.plan(record)
        self.apply(plan)
        return plan.decision

    def plan(self, record: Record) -> Plan:
        """The decision for ``record`` and the profile it leaves, without writing anything."""
        linked, how = self._linked_by_keys(record)
        if linked:
            return self._settle(record, linked, how, None, ())
        best, score, review = self._best_candidate(record)
        if best is not None and score >= self.weights.match:
            return self._settle(record, [best], "MATCH", score, ())
        return self._settle(record, [], "NEW", score, tuple(review))

    def _linked_by_keys(self, record: Record) -> tuple[list[str], str | None]:
        """The workers the record's keys name, and the kind of the first key that linked one."""
        linked: list[str] = []
        how = None
        for key in record.keys:
            worker = self.worker_of(key)
            if worker is None or worker in linked:
                continue
            if record.nik and not key.startswith(f"{NIK}:") and not self._nik_compatible(record, self.profiles[worker]):
                continue
            linked.append(worker)
            how = how or key.split(":", 1)[0]
        return linked, how

    def _nik_compatible(self, record: Record, profile: Profile) -> bool:
        niks = profile.niks
        if not niks or f"{NIK}:{record.nik}" in niks:
            return True
        # Another NIK: a typo of the same person's, or someone else's. A NIK one digit off is a
        # clerk's slip, and the passport or local id that linked it is evidence already: a name a
        # few letters off or with a part dropped (often on the same form) is enough then.
        if record.block not in profile.birth_dates or record.sex not in profile.sexes:
            return False
        one_slip = any(one_character_apart(record.nik, nik.split(":", 1)[1]) for nik in niks)
        wanted = NameLevel.SIMILAR if one_slip else NameLevel.VERY_SIMILAR
        return any(compare_names(record.name, name, self.weights.thresholds) >= wanted for name in profile.names)

    def _best_candidate(self, record: Record) -> tuple[str | None, float | None, list[str]]:
        if record.block is None:
            return None, None, []
        scored = sorted(
            ((self.score(record, self.profiles[w]), w) for w in self.born_on.get(record.block, ()) if w in self.profiles),
            key=lambda pair: (-pair[0], pair[1]),
        )
        if not scored:
            return None, None, []
        review = [w for s, w in scored if self.weights.review <= s < self.weights.match]
        return scored[0][1], scored[0][0], review

    def score(self, record: Record, profile: Profile) -> float:
        """The evidence that ``record`` is the worker of ``profile`` (who shares its birth date)."""
        w = self.weights
        if record.nik and profile.niks and f"{NIK}:{record.nik}" not in profile.niks:
            return w.other_nik
        total = max((w.name[compare_names(record.name, n, w.thresholds)] for n in profile.names), default=0.0)
        total += max((w.patronym[compare_patronyms(record.name, n, w.thresholds)] for n in profile.names), default=0.0)
        if record.sex and profile.sexes:
            total += w.same_sex if record.sex in profile.sexes else w.other_sex
        if record.regency and profile.regencies:
            if record.regency in profile.regencies:
                total += w.same_regency
            elif record.regency[:2] in {r[:2] for r in profile.regencies}:
                total += w.same_province
            else:
                total += w.other_province
        return total

    def _settle(self, record: Record, linked: list[str], how: str, score: float | None, review: tuple) -> Plan:
        profile = Profile("").with_record(record)
        for worker in linked:
            profile = profile.union(self.profiles[worker])
        # The id is a function of the cluster's keys, never of which record came first.
        winner = worker_id_for(min(profile.keys, key=_strength))
        profile = replace(profile, worker_id=winner)
        merged = tuple(sorted(worker for worker in linked if worker != winner))
        return Plan(Decision(winner, how, merged, score, review), profile)

    def apply(self, plan: Plan) -> None:
        """Record a decision, writing only what changed. The order matters to a stream that crashes
        mid-way and resolves the record again from what was written: the winner's profile first,
        the merged-away profiles last, so that any prefix of these writes still links the record to
        every worker it linked before (their profiles and keys are still there) and the same
        decision is taken again."""
        winner, merged, profile = plan.decision.worker_id, plan.decision.merged, plan.profile
        if self.profiles.get(winner) != profile:
            self.profiles[winner] = profile
        for key in sorted(profile.keys):  # sorted: the same writes in the same order, in any process
            if self.by_key.get(key) != winner:
                self.by_key[key] = winner
        for born in sorted(profile.birth_dates):
            listed = self.born_on.get(born, ())
            kept = tuple(w for w in listed if w not in merged)
            kept = kept if winner in kept else (*kept, winner)
            if kept != listed:
                self.born_on[born] = kept
        for loser in merged:
            self.by_key[f"{WORKER}:{loser}"] = winner
        if f"{WORKER}:{winner}" in self.by_key:
            del self.by_key[f"{WORKER}:{winner}"]
        for loser in merged:
            if loser in self.profiles:  # applying a decision again finds some gone already
                del self.profiles[loser]


def _strength(key: str) -> tuple[int, str]:
    """NIK before passport before local id; then the smallest value."""
    return _KEY_RANK[key.split(":", 1)[0]], key
