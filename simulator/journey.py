"""One synthetic person and their journeys, as the partner events each source would report.

A person is drawn (origin, sex, age, name, NIK, passports), given a *role* — normal, one of
the mess roles (non-procedural, unconfirmed departure) or one injected anomaly — and walked
through episodes: training, registration, departure, placement, what happens abroad (cases,
extensions, employer changes, a passport renewal) and the return; repeat migrants go again.
Events stamped after ``until`` are not reported (yet): the simulation stops there.

Normal journeys are built to trigger no rule: a certificate valid on departure, BPJS, a P3MI
licensed on both dates, an adult, placed within 7 days, paid above the minimum, no moratorium
destination, cases resolved within 25 days, a return within 20 days of the contract's end or
an extension before it. Everything else is deliberate, and ``simulator.truth`` reads the
events back to list what the rules must raise.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from random import Random

from simulator import figures
from simulator.clock import DAY, EPOCH, FIRST_SECOND, MINUTES, add_months, day_text, local_occurred_at
from simulator.draw import below, between, one_of, uniform_int
from simulator.identity import mistyped_nik, nik, passport
from simulator.names import full_name, variant

P3MI, TRAINING_CENTER, EMBASSY = "P3MI", "TRAINING_CENTER", "EMBASSY"
NORMAL, NON_PROCEDURAL, UNCONFIRMED = "normal", "non_procedural", "unconfirmed_departure"
_DEPARTURE_PORTS = ("CGK", "SUB", "KNO", "LOP", "SRG", "BTH", "NNX")


@dataclass(slots=True)
class Event:
    """One partner event of a person: its event time and its JSON document (DESIGN §3)."""

    t: int
    type: str
    kind: str
    doc: dict
    episode: int


@dataclass
class Episode:
    """One journey as it truly went, up to ``until`` (the fields of DESIGN §4's episode)."""

    country: str
    sector: str
    p3mi_id: str | None = None
    employer_name: str | None = None
    departed_on: str | None = None
    placed_on: str | None = None
    contract_end: str | None = None
    returned_on: str | None = None
    return_reason: str | None = None


@dataclass
class Person:
    index: int
    role: str
    nik: str
    full_name: str
    father: str
    date_of_birth: int
    birth_text: str
    sex: str
    regency: str
    events: list[Event] = field(default_factory=list)
    episodes: list[Episode] = field(default_factory=list)
    spike: "SpikeRole | None" = None
    person_id: str = ""

    def __post_init__(self):
        self.person_id = person_id(self.index)


@dataclass(frozen=True)
class SpikeRole:
    """A member of a SPIKE group: where they work, and when (if ever) their incident falls."""

    subject_kind: str  # "EMPLOYER" (a burst of cases) or "P3MI" (a burst of early terminations)
    subject_id: str
    country: str
    sector: str
    departed: int  # day
    incident: int | None  # day of the case report / early return, None for a baseline member
    incident_event_id: str | None


def build_person(world, index: int, rng: Random, role: str, spike: SpikeRole | None) -> Person:
    """Person ``index`` of ``world`` (a ``simulator.world.World``), drawn with ``rng``."""
    return _Builder(world, index, rng, role, spike).build()


class _Builder:
    def __init__(self, ctx, index: int, rng: Random, role: str, spike: SpikeRole | None):
        self.ctx, self.index, self.rng, self.role, self.spike = ctx, index, rng, role, spike
        self.rates, self.until, self.random = ctx.rates, ctx.until, rng.random
        self.renewals = 0
        self.passport = passport(index, ctx.seed, 0)  # the current one: renewals replace it
        # No report has yet tied the current number to who holds it: a non-procedural worker's first
        # (no P3MI departure carries it), or a renewed one.
        self.passport_unreported = role == NON_PROCEDURAL
        self.p3mi_local_id = f"REG-{index + 1:07d}"
        self.typo_nik: str | None = None  # set on the one P3MI report that carries it

    # ---- who ---------------------------------------------------------------------------------
    def build(self) -> Person:
        ctx, rng = self.ctx, self.rng
        province = ctx.provinces.pick(rng)
        regency = ctx.regencies[province].pick(rng)
        if self.spike is not None:
            country, sector = self.spike.country, self.spike.sector
        elif self.role == NON_PROCEDURAL:
            country, sector = ctx.np_destinations.pick(rng), ctx.np_sectors.pick(rng)
        elif self.role == "moratorium":
            country, sector = rng.choice(ctx.moratorium_destinations), "DOMESTIC_WORKER"
        else:
            country = ctx.destinations.pick(rng)
            sector = ctx.sectors[country].pick(rng)
        if self.role == "below_minimum_wage" and ctx.reference.minimum_wage(country, sector) is None:
            country, sector = "MY", "PLANTATION"
        sex = "F" if rng.random() < figures.FEMALE_SHARE_BY_SECTOR[sector] else "M"
        start = self._start_day()
        age_days = int(rng.triangular(figures.AGE_MIN, figures.AGE_MAX, figures.AGE_MODE) * 365.25)
        if self.role == "underage":  # 16 or 17 on the departure day, 33-60 days after the start
            age_days = uniform_int(rng, 5_850, 6_300)
        born = start - age_days - 90
        name, father = full_name(rng, sex)
        self.person = Person(self.index, self.role, nik(self.index, regency, date.fromordinal(born), sex), name, father,
                             born, day_text(born), sex, regency, spike=self.spike)
        if self.role == NON_PROCEDURAL:
            self._embassy_only(start, country, sector)
        else:
            self._journeys(start, country, sector)
        return self.person

    def _start_day(self) -> int:
        """The first event's day: anywhere in the window, but early enough for an injected
        anomaly (or a spike) to be seen by ``until``."""
        ctx, rng = self.ctx, self.rng
        if self.spike is not None:
            return self.spike.departed - between(rng, figures.DEPARTURE_AFTER_REGISTRATION) - 10
        latest = ctx.until - 30
        if self.role not in (NORMAL, NON_PROCEDURAL, UNCONFIRMED):
            latest = ctx.until - (900 if self.role == "overstay" else 200)
        return uniform_int(rng, ctx.start, max(ctx.start, latest))

    # ---- events --------------------------------------------------------------------------------
    def emit(self, day: int, event_type: str, kind: str, source_id: str, worker: dict, payload: dict,
             episode: int, event_id: str | None = None) -> Event | None:
        """Reports one event, unless it falls after ``until`` (then it has not happened yet)."""
        if day > self.until:
            return None
        minute = int(self.random() * MINUTES)
        doc = {
            "event_id": event_id or event_uuid(self.rng),
            "event_type": event_type,
            "occurred_at": local_occurred_at(day, minute),
            "source": {"kind": kind, "id": source_id},
            "worker": worker,
            "payload": payload,
        }
        event = Event((day - EPOCH) * DAY + FIRST_SECOND + 60 * minute, event_type, kind, doc, episode)
        self.person.events.append(event)
        return event

    def _name(self) -> str:
        p = self.person
        if self.random() < self.rates.name_variant:
            return variant(self.rng, p.full_name, p.sex, p.father)
        return p.full_name

    def _home_worker(self, with_passport: bool, local_id: str | None, nik_override: str | None = None,
                     born: int | None = None) -> dict:
        """The worker as a training centre or a P3MI knows them: NIK, name, birth, sex, regency."""
        p = self.person
        worker = {"nik": nik_override or p.nik}
        if with_passport:
            worker["passport_no"] = self.passport
        if local_id:
            worker["local_id"] = local_id
        worker["full_name"] = self._name()
        worker["date_of_birth"] = p.birth_text if born is None else day_text(born)
        worker["sex"] = p.sex
        worker["origin_regency"] = p.regency
        return worker

    def _embassy_worker(self, knows_nik: bool = True) -> dict:
        """Embassies often know only the passport — but not of a number it has not yet tied to a
        person: the embassy that registers a worker who came outside the procedure, or issues a
        renewed passport, saw the person, so its first report under that number carries who they
        are. Otherwise a passport-only report under that number could belong to anyone (a RETURNED
        one would raise a RETURN_WITHOUT_DEPARTURE that no pipeline could tell from a real one)."""
        passport_only = self.random() < self.rates.embassy_passport_only
        if passport_only and not self.passport_unreported:
            return {"passport_no": self.passport}
        self.passport_unreported = False
        p = self.person
        if knows_nik:
            return {"nik": p.nik, "passport_no": self.passport, "full_name": self._name(), "date_of_birth": p.birth_text,
                    "sex": p.sex, "origin_regency": p.regency}
        return {"passport_no": self.passport, "full_name": self._name(), "date_of_birth": p.birth_text, "sex": p.sex,
                "origin_regency": p.regency}

    # ---- procedural journeys -----------------------------------------------------------------
    def _journeys(self, start: int, country: str, sector: str) -> None:
        ctx, rng = self.ctx, self.rng
        episode_no = 0
        if self.rng.random() < self.rates.nik_typo:
            self.typo_nik = mistyped_nik(rng, self.person.nik)
        while start <= ctx.until:
            returned = self._procedural_episode(episode_no, start, country, sector)
            if returned is None or self.spike is not None or rng.random() >= self.rates.repeat_migrant:
                return
            episode_no += 1
            self.role = NORMAL  # an injected anomaly belongs to the first journey only
            start = returned + between(rng, figures.NEXT_JOURNEY_AFTER_RETURN)
            country = ctx.destinations.pick(rng)
            sector = ctx.sectors_for_sex[(country, self.person.sex)].pick(rng)

    def _procedural_episode(self, n: int, start: int, country: str, sector: str) -> int | None:
        """One journey from training to return; the return day, or None when it has no return."""
        ctx, rng, role, rates, spike = self.ctx, self.rng, self.role, self.rates, self.spike
        episode = Episode(country, sector)
        self.person.episodes.append(episode)
        trained = start
        registered = trained + between(rng, figures.REGISTRATION_AFTER_TRAINING)
        departed = spike.departed if spike else registered + between(rng, figures.DEPARTURE_AFTER_REGISTRATION)
        registered = min(registered, departed - 5)
        trained = min(trained, registered - 3)
        if role == "underage":
            departed = registered + 30

        certificate = {"certificate_no": f"SRT-{self.index + 1:07d}-{n + 1}", "competency": sector,
                       "issued_on": day_text(trained), "valid_until": day_text(trained + figures.CERTIFICATE_VALID_DAYS)}
        lpk = f"LPK-{1 + below(rng, figures.TRAINING_CENTERS):03d}"
        if role == "late_certificate":  # issued before departure, reported weeks after it
            self.emit(departed + between(rng, (5, 40)), "TRAINING_COMPLETED", TRAINING_CENTER, lpk,
                      self._home_worker(False, None), certificate, n)
        elif role != "no_training":
            self.emit(trained, "TRAINING_COMPLETED", TRAINING_CENTER, lpk, self._home_worker(False, None), certificate, n)

        if spike is not None and spike.subject_kind == "P3MI":
            p3mi = spike.subject_id
        elif role == "unlicensed_p3mi":
            p3mi = ctx.reference.unlicensed_p3mi(rng, registered)
        else:
            p3mi = ctx.reference.licensed_p3mi(rng, registered, departed)
        episode.p3mi_id = p3mi
        months = 6 if role == "overstay" else 24 if spike else ctx.contract_months.pick(rng)
        employer = spike.subject_id if spike and spike.subject_kind == "EMPLOYER" else self.ctx.employer(rng, country, sector)
        episode.employer_name = employer
        salary = self._salary(country, sector)
        job_order = f"JO-{p3mi[5:]}-{below(rng, 100_000):05d}"
        registration = {"job_order_id": job_order, "destination_country": country, "sector": sector,
                        "employer_name": employer, "contract_months": months, "monthly_salary": salary}
        conflicting_birth = None
        if role == "identity_conflict":  # the agency typed another birth year: the NIK contradicts it
            conflicting_birth = self.person.date_of_birth + rng.choice((-1, 1)) * 365 * uniform_int(rng, 1, 3)
        self.emit(registered, "REGISTERED", P3MI, p3mi,
                  self._home_worker(False, self.p3mi_local_id, born=conflicting_birth), registration, n)

        departure = {"destination_country": country, "sector": sector, "job_order_id": job_order,
                     "departure_port": one_of(rng, _DEPARTURE_PORTS)}
        if role != "no_social_security":
            departure["social_security_no"] = f"{10**10 + below(rng, 9 * 10**10)}"
        if self.typo_nik and n == 0:  # the mistyped NIK travels with the passport, as the agency typed both
            worker = self._home_worker(True, self.p3mi_local_id, nik_override=self.typo_nik)
        else:
            worker = self._home_worker(True, self.p3mi_local_id)
        if self.emit(departed, "DEPARTED", P3MI, p3mi, worker, departure, n) is None:
            return None
        episode.departed_on = day_text(departed)
        if role == UNCONFIRMED:
            return None  # abroad, but no embassy ever reports them

        placed = departed + between(rng, figures.PLACEMENT_AFTER_DEPARTURE)
        placed_country = country
        if role == "late_placement":
            placed = departed + between(rng, (20, 45))
        elif role == "impossible_sequence":
            if rng.random() < 0.5:
                placed = departed - between(rng, (2, 6))  # placed before departing
            else:
                placed_country = rng.choice([c for c in ("MY", "SG", "BN", "HK") if c != country])
                episode.country = placed_country
        return self._abroad(n, episode, placed, placed_country, sector, employer, months, salary, p3mi)

    def _salary(self, country: str, sector: str) -> dict:
        rng = self.rng
        minimum = self.ctx.reference.minimum_wage(country, sector)
        if minimum is None:
            amount, currency = figures.TYPICAL_WAGE[country] * rng.uniform(0.9, 1.3), figures.CURRENCIES[country]
        elif self.role == "below_minimum_wage":
            amount, currency = float(minimum["amount"]) * rng.uniform(0.55, 0.95), minimum["currency"]
        else:
            amount, currency = float(minimum["amount"]) * rng.uniform(1.0, 1.35) + 1, minimum["currency"]
        return {"amount": f"{int(amount)}.00", "currency": currency}

    # ---- abroad --------------------------------------------------------------------------------
    def _abroad(self, n: int, episode: Episode, placed: int, country: str, sector: str, employer: str,
                months: int, salary: dict | None, p3mi: str | None) -> int | None:
        """Placement, life abroad and the return; the return day, or None when there is none (yet)."""
        ctx, rng, rates, role, spike = self.ctx, self.rng, self.rates, self.role, self.spike
        embassy = ctx.embassy(country)
        contract_end = add_months(placed, months)
        knows_nik = role != NON_PROCEDURAL or rng.random() < 0.5
        placement = {"country": country, "employer_name": employer,
                     "employer_address": f"SYNTHETIC ADDRESS {1 + below(rng, 998)}, {country}", "sector": sector,
                     "contract_start": day_text(placed), "contract_end": day_text(contract_end)}
        if salary:
            placement["monthly_salary"] = salary
        if self.emit(placed, "PLACED", EMBASSY, embassy, self._embassy_worker(knows_nik), placement, n) is None:
            return None
        episode.placed_on, episode.contract_end = day_text(placed), day_text(contract_end)

        stays = role == "overstay" or (role == NON_PROCEDURAL and rng.random() < 0.4)
        if spike is not None and spike.subject_kind == "P3MI" and spike.incident is not None:
            reason, returned = "EARLY_TERMINATION", spike.incident
        elif role == NON_PROCEDURAL:
            reason = ctx.np_return_reasons.pick(rng)
            returned = uniform_int(rng, placed + 30, max(placed + 30, contract_end - 10))
        elif rng.random() < ctx.early_share and spike is None:
            reason = ctx.early_reasons.pick(rng)
            returned = uniform_int(rng, placed + 30, max(placed + 30, contract_end - 30))
        else:
            reason, returned = "CONTRACT_COMPLETED", None
        if reason == "CONTRACT_COMPLETED" and not stays and returned is None:
            if rng.random() < rates.extension and spike is None:
                extended_on = contract_end - between(rng, (5, 40))
                contract_end = add_months(contract_end, 12)
                self.emit(extended_on, "PLACEMENT_UPDATED", EMBASSY, embassy, self._embassy_worker(knows_nik),
                          {"country": country, "contract_end": day_text(contract_end), "change": "EXTENDED"}, n)
                if extended_on <= ctx.until:
                    episode.contract_end = day_text(contract_end)
            returned = contract_end + between(rng, figures.RETURN_AROUND_CONTRACT_END)
        last_day = contract_end if stays else returned  # what happens abroad happens before this

        if rng.random() < rates.passport_renewal and last_day - placed > 120:
            renewal_day = uniform_int(rng, placed + 30, last_day - 60)
        else:
            renewal_day = None
        if rng.random() < rates.employer_change and last_day - placed > 150 and spike is None:
            changed = uniform_int(rng, placed + 60, last_day - 60)
            self._maybe_renew(renewal_day, changed)
            employer = ctx.employer(rng, country, sector)
            if self.emit(changed, "PLACEMENT_UPDATED", EMBASSY, embassy, self._embassy_worker(knows_nik),
                         {"country": country, "employer_name": employer, "change": "EMPLOYER_CHANGED"}, n):
                episode.employer_name = employer
        self._cases(n, embassy, employer, placed, last_day, renewal_day, knows_nik)
        self._maybe_renew(renewal_day, last_day)

        if stays:
            return None
        report = {"country": country, "return_date": day_text(returned), "reason": reason}
        return_id = spike.incident_event_id if spike and spike.subject_kind == "P3MI" else None
        if self.emit(returned, "RETURNED", EMBASSY, embassy, self._embassy_worker(knows_nik), report, n,
                     event_id=return_id) is None:
            return None
        episode.returned_on, episode.return_reason = day_text(returned), reason
        if p3mi and rng.random() < rates.p3mi_reports_return:
            self.emit(returned + between(rng, (0, 5)), "RETURNED", P3MI, p3mi,
                      self._home_worker(True, self.p3mi_local_id), report, n)
        return returned

    def _maybe_renew(self, renewal_day: int | None, before: int) -> None:
        """Renew the passport once its day has come: every later report carries the new number."""
        if renewal_day is not None and renewal_day <= before and self.renewals < 2 and renewal_day <= self.ctx.until:
            self.renewals += 1
            self.passport = passport(self.index, self.ctx.seed, self.renewals)
            self.passport_unreported = True

    def _cases(self, n: int, embassy: str, employer: str, placed: int, last_day: int, renewal_day: int | None,
               knows_nik: bool) -> None:
        rng, role, spike = self.rng, self.role, self.spike
        if spike is not None and spike.subject_kind == "EMPLOYER":
            if spike.incident is None:
                return
            reported, event_id = spike.incident, spike.incident_event_id
        elif role == "case_unresolved" or rng.random() < self.rates.case * (3 if role == NON_PROCEDURAL else 1):
            if last_day - placed < 60:
                return
            reported, event_id = uniform_int(rng, placed + 10, last_day - 50 if role != "case_unresolved" else last_day - 40), None
        else:
            return
        self._maybe_renew(renewal_day, reported)
        case_id = f"CASE-{self.index + 1:07d}-{n + 1}"
        category = "UNPAID_WAGES" if spike is not None else self.ctx.case_categories.pick(rng)
        self.emit(reported, "CASE_REPORTED", EMBASSY, embassy, self._embassy_worker(knows_nik),
                  {"case_id": case_id, "category": category, "employer_name": employer}, n, event_id=event_id)
        if role == "case_unresolved":
            if rng.random() < 0.5:
                return  # never resolved
            resolved = reported + between(rng, (31, 90))
        else:
            resolved = reported + between(rng, figures.CASE_RESOLVED_WITHIN)
        self._maybe_renew(renewal_day, resolved)
        self.emit(resolved, "CASE_RESOLVED", EMBASSY, embassy, self._embassy_worker(knows_nik),
                  {"case_id": case_id, "resolution": "SETTLED"}, n)

    # ---- non-procedural ----------------------------------------------------------------------
    def _embassy_only(self, start: int, country: str, sector: str) -> None:
        """Went abroad outside the procedure: no training, registration or departure on record."""
        episode = Episode(country, sector)
        self.person.episodes.append(episode)
        employer = self.ctx.employer(self.rng, country, sector)
        episode.employer_name = employer
        self._abroad(0, episode, start, country, sector, employer, self.ctx.contract_months.pick(self.rng), None, None)


def person_id(index: int) -> str:
    return f"P-{index + 1:07d}"


def event_uuid(rng: Random) -> str:
    """A random UUID from the person's own stream: ids are as reproducible as everything else."""
    h = rng.randbytes(16).hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


