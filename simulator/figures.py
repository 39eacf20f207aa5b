"""The shares that shape a simulated population, as data, each with where it comes from.

Published figures are from ``../shared/STATISTICS.md`` (BP2MI/KP2MI, the Manpower Ministry and
the press, 2019–2025). Where the published figures say nothing (the split of "the rest",
sectors within one destination, wages with no public minimum, delays, journey timings), the
value is **synthetic**: invented to be plausible, and labelled so here. Weights need not sum
to one; ``simulator.draw`` normalises them.
"""
from __future__ import annotations

from types import MappingProxyType as Frozen

# Destination countries: 2023 placements (STATISTICS.md, total ≈ 274,965). The ≈ 8,400 of
# "the rest, over ~140 countries" are split over a few countries here: synthetic.
DESTINATIONS = Frozen({
    "TW": 83_216, "MY": 72_260, "HK": 65_916, "KR": 12_580, "JP": 9_673, "SG": 7_898, "SA": 6_310,
    "IT": 3_519, "BN": 2_872, "TR": 2_289,
    # synthetic split of the rest
    "AE": 2_000, "QA": 1_500, "KW": 900, "OM": 700, "PL": 900, "DE": 800, "AU": 700, "NZ": 500, "US": 432,
})

# Sectors within each destination: synthetic, shaped by STATISTICS.md's notes (Korea's scheme is
# manufacturing and fishing; Taiwan and Hong Kong mostly domestic workers and caregivers;
# Malaysia plantation, construction and domestic work) so that the national mix comes out near
# the 2024 shares (domestic 33.7%, caregiver 17.5%, plantation 7.6%, construction 2.9%).
# No domestic workers where the moratorium applies: sending them there is an anomaly.
SECTORS_BY_DESTINATION = Frozen({
    "TW": {"DOMESTIC_WORKER": 30, "CAREGIVER": 28, "MANUFACTURING": 30, "FISHING_CREW": 8, "CONSTRUCTION": 4},
    "HK": {"DOMESTIC_WORKER": 80, "CAREGIVER": 20},
    "MY": {"PLANTATION": 32, "DOMESTIC_WORKER": 20, "CONSTRUCTION": 10, "MANUFACTURING": 30, "HOSPITALITY": 8},
    "KR": {"MANUFACTURING": 75, "FISHING_CREW": 20, "CONSTRUCTION": 5},
    "JP": {"CAREGIVER": 35, "MANUFACTURING": 30, "CONSTRUCTION": 10, "FISHING_CREW": 5, "HOSPITALITY": 20},
    "SG": {"DOMESTIC_WORKER": 80, "CAREGIVER": 12, "HOSPITALITY": 8},
    "SA": {"CAREGIVER": 40, "HOSPITALITY": 40, "CONSTRUCTION": 20},
    "IT": {"CAREGIVER": 50, "HOSPITALITY": 50},
    "BN": {"DOMESTIC_WORKER": 60, "CONSTRUCTION": 20, "PLANTATION": 20},
    "TR": {"HOSPITALITY": 60, "CAREGIVER": 40},
    "AE": {"CAREGIVER": 40, "HOSPITALITY": 60},
    "QA": {"CAREGIVER": 30, "HOSPITALITY": 40, "CONSTRUCTION": 30},
    "KW": {"CAREGIVER": 50, "OTHER": 50},
    "OM": {"CAREGIVER": 50, "OTHER": 50},
    "PL": {"MANUFACTURING": 70, "OTHER": 30},
    "DE": {"CAREGIVER": 80, "HOSPITALITY": 20},
    "AU": {"HOSPITALITY": 50, "PLANTATION": 50},
    "NZ": {"PLANTATION": 70, "FISHING_CREW": 30},
    "US": {"HOSPITALITY": 60, "FISHING_CREW": 40},
})

# Share of women by sector: synthetic, shaped by STATISTICS.md (women 61–72% of placements,
# higher in domestic work and caregiving, lower in plantation, construction and fishing).
FEMALE_SHARE_BY_SECTOR = Frozen({
    "DOMESTIC_WORKER": 0.97, "CAREGIVER": 0.88, "PLANTATION": 0.25, "MANUFACTURING": 0.40,
    "CONSTRUCTION": 0.04, "FISHING_CREW": 0.02, "HOSPITALITY": 0.60, "OTHER": 0.50,
})

# Origin provinces (2-digit Kemendagri codes): 2024 placements. The last ≈ 2.9% ("the rest
# spread thin") is split over a few provinces here: synthetic.
PROVINCES = Frozen({
    "35": 26.8,  # East Java
    "33": 22.5,  # Central Java
    "32": 20.7,  # West Java
    "52": 10.2,  # West Nusa Tenggara
    "18": 8.5,   # Lampung
    "12": 3.8,   # North Sumatra
    "51": 3.4,   # Bali
    "36": 1.2,   # Banten
    # synthetic split of the rest
    "53": 0.8, "73": 0.6, "34": 0.5, "16": 0.4, "61": 0.3, "11": 0.3,
})

# Regencies with a published weight of their own: the top East Java regencies (Ponorogo,
# Blitar, Malang). The shares are synthetic; the other regencies of a province share the rest
# equally (cities, codes 71 and up, are left out: migrants come mostly from regencies).
TOP_REGENCIES = Frozen({"35": {"3502": 0.14, "3505": 0.11, "3507": 0.10}})

# Contract length in months: "typical contracts: 24 months (12 and 6 also used)". Shares synthetic.
CONTRACT_MONTHS = Frozen({24: 0.75, 12: 0.20, 6: 0.05})

# How an episode abroad ends, when it ends early: synthetic shares shaped by the 2023–2024
# returns (16,053 stranded, 580 deceased, 300 sick of ~22,000 handled, against ~275,000
# placements a year). The rest of the episodes end CONTRACT_COMPLETED.
EARLY_RETURN_REASONS = Frozen({"EARLY_TERMINATION": 0.050, "REPATRIATED": 0.030, "DEPORTED": 0.010, "DECEASED": 0.002})

# Case categories: H1 2024 complaints (wants to return 136, unpaid wages 85, fraud 32 →
# CONTRACT_VIOLATION; deported 61, failed departure 45 and death 41 → OTHER). ABUSE, ILLNESS and
# TRAFFICKING_SUSPECTED are not in the published split: synthetic.
CASE_CATEGORIES = Frozen({
    "WANTS_TO_RETURN": 136, "UNPAID_WAGES": 85, "OTHER": 147, "CONTRACT_VIOLATION": 32,
    "ABUSE": 30, "ILLNESS": 25, "TRAFFICKING_SUSPECTED": 10,
})

# Non-procedural (embassy-only) workers: where they are and what they do. Synthetic, shaped by
# "71% of problem returns from Malaysia" and the domestic-work share.
NON_PROCEDURAL_DESTINATIONS = Frozen({"MY": 71, "SA": 8, "SG": 6, "HK": 5, "TW": 5, "AE": 5})
NON_PROCEDURAL_SECTORS = Frozen({"DOMESTIC_WORKER": 50, "PLANTATION": 25, "CONSTRUCTION": 25})
NON_PROCEDURAL_RETURN_REASONS = Frozen({"DEPORTED": 45, "REPATRIATED": 35, "CONTRACT_COMPLETED": 20})

# Currency and a typical monthly wage for destinations and sectors with no minimum on record
# (destination-policy.csv): synthetic.
CURRENCIES = Frozen({
    "TW": "TWD", "MY": "MYR", "HK": "HKD", "KR": "KRW", "JP": "JPY", "SG": "SGD", "SA": "SAR",
    "IT": "EUR", "BN": "BND", "TR": "TRY", "AE": "AED", "QA": "QAR", "KW": "KWD", "OM": "OMR",
    "PL": "PLN", "DE": "EUR", "AU": "AUD", "NZ": "NZD", "US": "USD",
})
TYPICAL_WAGE = Frozen({
    "TW": 26_000, "MY": 1_800, "HK": 5_200, "KR": 2_200_000, "JP": 180_000, "SG": 700, "SA": 1_600,
    "IT": 1_200, "BN": 450, "TR": 18_000, "AE": 1_600, "QA": 1_100, "KW": 110, "OM": 160,
    "PL": 4_300, "DE": 2_000, "AU": 3_500, "NZ": 3_600, "US": 2_500,
})

# Embassy or consulate reporting for each destination (source ids): synthetic ids.
EMBASSY_PREFIX = Frozen({"TW": "KDEI", "HK": "KJRI"})  # Taipei's office is a KDEI, Hong Kong's a KJRI; else KBRI

# Age at a first departure: a triangle from 18 to 45, most often 24 (synthetic, shaped by the
# minimum legal age of 18 in UU 18/2017 and the young workforce the figures describe).
AGE_MIN, AGE_MODE, AGE_MAX = 18, 24, 45

# Journey timings in days (synthetic): training → registration → departure → placement, the
# return around the contract's end, the pause before a repeat migrant's next journey.
REGISTRATION_AFTER_TRAINING = (3, 30)
DEPARTURE_AFTER_REGISTRATION = (20, 75)
PLACEMENT_AFTER_DEPARTURE = (1, 7)
RETURN_AROUND_CONTRACT_END = (-20, 20)
NEXT_JOURNEY_AFTER_RETURN = (45, 400)
CERTIFICATE_VALID_DAYS = 730
CASE_RESOLVED_WITHIN = (2, 25)
TRAINING_CENTERS = 150  # LPK-001 … LPK-150, synthetic
EMPLOYERS_PER_DESTINATION_SECTOR = 300  # companies per country and sector, synthetic
