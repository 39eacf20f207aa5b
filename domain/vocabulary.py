"""The fixed names of the partner contract (DESIGN §3): event types, source kinds, code lists.

Others depend on these exact spellings; they do not change. Fields may be added to the
payload records (schema evolution), which is why ``PAYLOAD_FIELDS`` is checked against the
newest ``schemas/partner_event/v*.avsc`` by a unit test.
"""
from __future__ import annotations

from types import MappingProxyType

RECORD_NAMESPACE = "id.pantau.events"

# Event types, in the order of a worker's journey.
TRAINING_COMPLETED = "TRAINING_COMPLETED"
REGISTERED = "REGISTERED"
DEPARTED = "DEPARTED"
PLACED = "PLACED"
PLACEMENT_UPDATED = "PLACEMENT_UPDATED"
CASE_REPORTED = "CASE_REPORTED"
CASE_RESOLVED = "CASE_RESOLVED"
RETURNED = "RETURNED"
EVENT_TYPES = (
    TRAINING_COMPLETED,
    REGISTERED,
    DEPARTED,
    PLACED,
    PLACEMENT_UPDATED,
    CASE_REPORTED,
    CASE_RESOLVED,
    RETURNED,
)
# Not a status the fold gives (it leaves status null): how counts and indexes name a worker known
# only from reports that carry no stage (a case an embassy reported, nothing else).
NO_STATUS = "NO_STATUS"

# Source kinds: who reports.
P3MI = "P3MI"
TRAINING_CENTER = "TRAINING_CENTER"
EMBASSY = "EMBASSY"
SOURCE_KINDS = (P3MI, TRAINING_CENTER, EMBASSY)

# Which source kinds may send each event type.
ALLOWED_SOURCES = MappingProxyType(
    {
        TRAINING_COMPLETED: frozenset({TRAINING_CENTER}),
        REGISTERED: frozenset({P3MI}),
        DEPARTED: frozenset({P3MI}),
        PLACED: frozenset({EMBASSY}),
        PLACEMENT_UPDATED: frozenset({EMBASSY}),
        CASE_REPORTED: frozenset({EMBASSY}),
        CASE_RESOLVED: frozenset({EMBASSY}),
        RETURNED: frozenset({EMBASSY, P3MI}),
    }
)

# The Avro payload record (full name) each event type carries.
PAYLOAD_RECORDS = MappingProxyType(
    {
        TRAINING_COMPLETED: f"{RECORD_NAMESPACE}.TrainingCompleted",
        REGISTERED: f"{RECORD_NAMESPACE}.Registered",
        DEPARTED: f"{RECORD_NAMESPACE}.Departed",
        PLACED: f"{RECORD_NAMESPACE}.Placed",
        PLACEMENT_UPDATED: f"{RECORD_NAMESPACE}.PlacementUpdated",
        CASE_REPORTED: f"{RECORD_NAMESPACE}.CaseReported",
        CASE_RESOLVED: f"{RECORD_NAMESPACE}.CaseResolved",
        RETURNED: f"{RECORD_NAMESPACE}.Returned",
    }
)
EVENT_TYPE_OF_RECORD = MappingProxyType({record: event_type for event_type, record in PAYLOAD_RECORDS.items()})

# Field value kinds used below: "string", "int" (32-bit), "date" (YYYY-MM-DD),
# "money" ({"amount": Decimal with 2 places, "currency": ISO 4217 code}).
STRING, INT, DATE, MONEY = "string", "int", "date", "money"

# Every field of each payload record, in schema order, with its kind; all are optional on
# the wire (validation decides what each event type requires).
PAYLOAD_FIELDS = MappingProxyType(
    {
        PAYLOAD_RECORDS[TRAINING_COMPLETED]: MappingProxyType(
            {"certificate_no": STRING, "competency": STRING, "issued_on": DATE, "valid_until": DATE}
        ),
        PAYLOAD_RECORDS[REGISTERED]: MappingProxyType(
            {
                "job_order_id": STRING,
                "destination_country": STRING,
                "sector": STRING,
                "employer_name": STRING,
                "contract_months": INT,
                "monthly_salary": MONEY,
            }
        ),
        PAYLOAD_RECORDS[DEPARTED]: MappingProxyType(
            {
                "destination_country": STRING,
                "sector": STRING,
                "job_order_id": STRING,
                "departure_port": STRING,
                "social_security_no": STRING,
            }
        ),
        PAYLOAD_RECORDS[PLACED]: MappingProxyType(
            {
                "country": STRING,
                "employer_name": STRING,
                "employer_address": STRING,
                "sector": STRING,
                "contract_start": DATE,
                "contract_end": DATE,
                "monthly_salary": MONEY,
            }
        ),
        PAYLOAD_RECORDS[PLACEMENT_UPDATED]: MappingProxyType(
            {"country": STRING, "employer_name": STRING, "contract_end": DATE, "change": STRING}
        ),
        PAYLOAD_RECORDS[CASE_REPORTED]: MappingProxyType(
            {"case_id": STRING, "category": STRING, "employer_name": STRING}
        ),
        PAYLOAD_RECORDS[CASE_RESOLVED]: MappingProxyType({"case_id": STRING, "resolution": STRING}),
        PAYLOAD_RECORDS[RETURNED]: MappingProxyType({"country": STRING, "return_date": DATE, "reason": STRING}),
    }
)

# The envelope.
EVENT_FIELDS = ("event_id", "event_type", "occurred_at", "source", "worker", "payload")
SOURCE_FIELDS = ("kind", "id")
WORKER_FIELDS = ("nik", "passport_no", "local_id", "full_name", "date_of_birth", "sex", "origin_regency")
WORKER_IDENTIFIERS = ("nik", "passport_no", "local_id")
MONEY_FIELDS = ("amount", "currency")

# Code lists.
SECTORS = (
    "DOMESTIC_WORKER",
    "CAREGIVER",
    "PLANTATION",
    "MANUFACTURING",
    "CONSTRUCTION",
    "FISHING_CREW",
    "HOSPITALITY",
    "OTHER",
)
CASE_CATEGORIES = (
    "UNPAID_WAGES",
    "ABUSE",
    "CONTRACT_VIOLATION",
    "TRAFFICKING_SUSPECTED",
    "ILLNESS",
    "WANTS_TO_RETURN",
    "OTHER",
)
RETURN_REASONS = ("CONTRACT_COMPLETED", "EARLY_TERMINATION", "DEPORTED", "REPATRIATED", "DECEASED")
EXTENDED = "EXTENDED"
EMPLOYER_CHANGED = "EMPLOYER_CHANGED"
PLACEMENT_CHANGES = (EXTENDED, EMPLOYER_CHANGED)
SEXES = ("F", "M")
