"""Indonesian names from Faker's ``id_ID`` name lists, and the ways partners misspell them.

Drawing from the provider's lists with the simulator's own seeded RNG is what keeps a
population deterministic and fast (a Faker call per person costs ~20x more).
"""
from __future__ import annotations

from random import Random

from faker.providers.person.id_ID import Provider

from simulator.draw import one_of

_MALE = tuple(name.upper() for name in Provider.first_names_male)
_FEMALE = tuple(name.upper() for name in Provider.first_names_female)
_LAST_MALE = tuple(name.upper() for name in Provider.last_names_male)
_LAST_FEMALE = tuple(name.upper() for name in Provider.last_names_female)
# Old (pre-1972) spellings still found in documents: the variant a clerk may type.
_OLD_SPELLINGS = (("U", "OE"), ("J", "DJ"), ("C", "TJ"), ("Y", "J"))
PATRONYMIC_SHARE = 0.3  # synthetic: share of names carrying bin/binti and the father's name


def full_name(rng: Random, sex: str) -> tuple[str, str]:
    """``(name, father's name)``: one to three parts, bin/binti + the father's name for some."""
    firsts, lasts = (_FEMALE, _LAST_FEMALE) if sex == "F" else (_MALE, _LAST_MALE)
    parts = [one_of(rng, firsts)]
    shape = rng.random()
    if shape < 0.45:
        parts.append(one_of(rng, lasts))
    elif shape < 0.65:
        parts.append(one_of(rng, firsts))
    father = one_of(rng, _MALE)
    if rng.random() < PATRONYMIC_SHARE:
        parts += ["BINTI" if sex == "F" else "BIN", father]
    return " ".join(parts), father


def variant(rng: Random, name: str, sex: str, father: str) -> str:
    """The name as another clerk wrote it: a part dropped, bin/binti added, a typo, spacing, an old spelling."""
    parts = name.split(" ")
    kind = rng.randrange(5)
    if kind == 0 and len(parts) > 1:
        del parts[1]
        return " ".join(parts)
    if kind == 1 and "BIN" not in parts and "BINTI" not in parts:
        return f"{name} {'BINTI' if sex == 'F' else 'BIN'} {father}"
    if kind == 2:
        for old, new in _OLD_SPELLINGS:
            if old in name:
                return name.replace(old, new, 1)
    if kind == 3 and len(parts) > 1:
        return rng.choice(("  ".join(parts), "".join(parts[:2]) + " " + " ".join(parts[2:]))).strip()
    return _typo(rng, name)


def _typo(rng: Random, name: str) -> str:
    """One letter doubled, dropped or swapped with its neighbour (never a space: that is spacing)."""
    positions = [i for i in range(len(name) - 1) if name[i] != " " and name[i + 1] != " "]
    if not positions:
        return name + name[-1]
    i = rng.choice(positions)
    how = rng.randrange(3)
    if how == 0:
        return name[: i + 1] + name[i:]
    if how == 1:
        return name[:i] + name[i + 1:]
    return name[:i] + name[i + 1] + name[i] + name[i + 2:]
