"""Indonesian personal names, normalised so that two records of one person compare equal.

The same person's name varies between partners' records in known ways, each undone here:

* case, punctuation and spacing around it (``Siti Aminah`` / ``SITI  AMINAH.``);
* titles and degrees: the pilgrim titles H. and Hj., academic ones (Dr., Ir., Drs.), and degrees
  after a comma or at the end (``S.Pd``, ``S.E.``, ``A.Md``);
* the pre-1972 spellings still found in records: oe→u (Soekarno), dj→j (Djoko), tj→c (Tjahjo),
  sj→sy (Sjarif), and ch→kh (Achmad). Never j→y: ``j`` is also the new spelling's own letter
  (Joko), so turning old ``j`` (Jusuf) into ``y`` would break far more names than it mends;
  a similarity measure absorbs that one letter instead;
* the many forms of Muhammad (Mochammad, Moh., Muh., M.);
* a patronymic, ``bin``/``binti`` + the father's name, which some records carry and others do
  not: it is split off and kept as its own field, to be compared on its own (also when the space
  before ``binti`` was lost).

What it does not undo — a dropped second name, names run together (NURHAYATI / NUR HAYATI),
typos — is for the comparison (``domain.identity.comparisons``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Spelled out, before punctuation goes; "S.Pd" must not leave an "S" behind as a name.
_AFTER_COMMA = re.compile(r",.*$")
_NOT_LETTERS = re.compile(r"[^A-Z]+")

TITLES = frozenset({"H", "HJ", "HJH", "HAJI", "HAJAH", "HAJJAH", "DR", "DRS", "DRA", "IR", "PROF", "NY", "SDR", "SDRI", "TN"})
DEGREES = frozenset({
    "SPD", "SPDI", "SE", "SH", "SKOM", "SAG", "SKM", "SKEP", "SSOS", "SIP", "SST", "ST", "SSI", "SFARM", "SKED",
    "MM", "MPD", "MSI", "MT", "MH", "AMD", "AMDKEB", "AMDKEP", "AMK", "AMKEB", "AMKEP",
})
PATRONYMIC_MARKERS = frozenset({"BIN", "BINTI", "BINT", "BINTE", "BT", "BTE"})
# Old spelling → current (EYD 1972), applied in this order.
OLD_SPELLINGS = (("OE", "U"), ("DJ", "J"), ("TJ", "C"), ("SJ", "SY"), ("CH", "KH"))
MUHAMMAD = "MUHAMMAD"
_MUHAMMAD_AS_WRITTEN = (
    "M", "MD", "MHD", "MOH", "MOHD", "MUH", "MOKH", "MUKH", "MOCH", "MUCH",
    "MUHAMAD", "MUHAMMED", "MUHAMED", "MOHAMAD", "MOHAMMAD", "MOHAMMED", "MOHAMED",
    "MOCHAMAD", "MOCHAMMAD", "MUCHAMAD", "MUCHAMMAD", "MOEHAMMAD", "MOEHAMAD",
)


def _spelled(word: str) -> str:
    for old, new in OLD_SPELLINGS:
        word = word.replace(old, new)
    return word


# Compared after the spelling is modernised, so MOCHAMMAD arrives as MOKHAMMAD.
_MUHAMMAD_FORMS = frozenset(_spelled(form) for form in _MUHAMMAD_AS_WRITTEN)


@dataclass(frozen=True)
class Name:
    given: tuple[str, ...]  # the person's own names, normalised, in order
    patronym: str | None  # the father's name after bin/binti, normalised; None when not given

    @property
    def joined(self) -> str:
        """The given names without spaces: NUR HAYATI and NURHAYATI are one name written twice."""
        return "".join(self.given)


def normalise(full_name: str | None) -> Name:
    tokens = _unglued(_tokens(full_name or ""))
    marker = next((i for i, token in enumerate(tokens) if token in PATRONYMIC_MARKERS and i > 0), None)
    given, father = (tokens, []) if marker is None else (tokens[:marker], tokens[marker + 1:])
    if len(set(given)) == 1:
        # A single-name person's name written twice (SUPARMI SUPARMI): a passport wants a surname.
        given = given[:1]
    return Name(tuple(given), " ".join(father) or None)


def _unglued(tokens: list[str]) -> list[str]:
    """A space lost before BINTI (LAILABINTI EMAN) restored; no name ends in BINTI. Not BIN: ROBIN."""
    for i, token in enumerate(tokens[:-1]):
        if token.endswith(_GLUED) and len(token) > len(_GLUED):
            return [*tokens[:i], token[: -len(_GLUED)], _GLUED, *tokens[i + 1:]]
    return tokens


_GLUED = "BINTI"


def _tokens(full_name: str) -> list[str]:
    text = _AFTER_COMMA.sub("", full_name.upper()).replace(".", "").replace("'", "").replace("`", "")
    words = [word for word in _NOT_LETTERS.split(text) if word]
    # Titles lead, degrees trail; a name that is nothing but such words is kept as it is.
    while len(words) > 1 and words[0] in TITLES:
        words.pop(0)
    while len(words) > 1 and words[-1] in DEGREES:
        words.pop()
    return [_modern(word) for word in words]


def _modern(word: str) -> str:
    word = _spelled(word)
    return MUHAMMAD if word in _MUHAMMAD_FORMS else word
