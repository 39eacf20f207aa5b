"""Backward compatibility of Avro schema versions: data written with an older version must read
into the newest (the codec resolves every kept version to the newest, see ``streams.codec``).

Two independent checks, both must pass:

1. Static rules: the Avro specification's schema resolution, walked field by field, so the
   failure names the field (a field added without a default; a type changed to one that is
   not a promotion; enum symbols removed with no enum default; a union losing a branch the
   old schema can write; a named type renamed without an alias). Stricter than the
   specification in one way: a changed ``logicalType`` (or decimal scale, or a smaller
   decimal precision) is refused, because the bytes still decode but mean something else.
2. Round trip: generated data written with the old schema is read with the new one by
   fastavro's own schema resolution.

``check_all`` applies this to every ``schemas/<name>/`` and also refuses gaps in the version
sequence, misnamed files and two versions with one fingerprint (the wire header could not
tell them apart). ``python -m streams.schema_compat [DIR]`` runs it from the shell.
"""
from __future__ import annotations

import io
import json
import random
import re
import sys
from pathlib import Path
from typing import Any

from fastavro import parse_schema, schemaless_reader, schemaless_writer
from fastavro.utils import generate_many

from streams.codec import SCHEMAS_DIR, schema_fingerprint

__all__ = ["IncompatibleSchema", "check_backward_compatible", "check_all"]

_VERSION_FILE = re.compile(r"^v([1-9][0-9]*)\.avsc$")
_NAMED = ("record", "error", "enum", "fixed")
_PROMOTIONS = {
    "int": ("long", "float", "double"),
    "long": ("float", "double"),
    "float": ("double",),
    "string": ("bytes",),
    "bytes": ("string",),
}


class IncompatibleSchema(Exception):
    """A schema change that would make published data unreadable; the message is one line."""

    def __init__(self, message: str):
        message = " ".join(str(message).split())
        super().__init__(message)
        self.message = message


def check_backward_compatible(old_schema: dict, new_schema: dict, samples: int = 200, seed: int = 0) -> None:
    """Raise ``IncompatibleSchema`` when data written with ``old_schema`` cannot be read with ``new_schema``."""
    old = parse_schema(old_schema)
    new = parse_schema(new_schema)
    _Resolver(_named_types(old), _named_types(new)).resolve(old, new, _root_path(old))
    _round_trip(old, new, samples, seed)


def check_all(schemas_dir: Path | str = SCHEMAS_DIR) -> list[str]:
    """Check every ``<schemas_dir>/<name>/v*.avsc``: every older version reads into the newest,
    versions run v1..vN without gaps, and no two versions share a fingerprint.

    Returns the names checked; raises ``IncompatibleSchema`` listing every problem found.
    """
    schemas_dir = Path(schemas_dir)
    problems: list[str] = []
    checked: list[str] = []
    for folder in sorted(p for p in schemas_dir.iterdir() if p.is_dir()):
        files = sorted(folder.glob("*.avsc"))
        if not files:
            continue
        name = folder.name
        checked.append(name)
        numbers: set[int] = set()
        parsed: dict[int, dict] = {}
        for path in files:
            match = _VERSION_FILE.match(path.name)
            if not match:
                problems.append(f"{name}/{path.name}: not named vN.avsc (N = 1, 2, … without leading zeros)")
                continue
            number = int(match.group(1))
            numbers.add(number)
            try:
                parsed[number] = parse_schema(json.loads(path.read_text()))
            except Exception as exc:  # json and fastavro raise several types; all mean "not a schema"
                problems.append(f"{name}/{path.name}: does not parse: {type(exc).__name__}: {exc}")
        if not numbers:
            continue
        newest = max(numbers)
        missing = sorted(set(range(1, newest + 1)) - numbers)
        if missing:
            problems.append(f"{name}: missing version(s) {', '.join(f'v{n}' for n in missing)}; every published version is kept")
        seen: dict[bytes, int] = {}
        for number in sorted(parsed):
            fp = schema_fingerprint(parsed[number])
            if fp in seen:
                problems.append(
                    f"{name}: v{seen[fp]} and v{number} have the same fingerprint {fp.hex()} "
                    "(docs, defaults, aliases and logical types are not in the canonical form)"
                )
            else:
                seen[fp] = number
        if newest not in parsed:
            continue
        for number in sorted(parsed):
            if number == newest:
                continue
            try:
                check_backward_compatible(parsed[number], parsed[newest])
            except IncompatibleSchema as exc:
                problems.append(f"{name} v{number} → v{newest}: {exc.message}")
    if problems:
        raise IncompatibleSchema("; ".join(problems))
    return checked


# --- static rules -------------------------------------------------------------------------


def _named_types(schema: Any) -> dict[str, dict]:
    """Fullname → definition of every named type in a parsed schema."""
    found: dict[str, dict] = {}

    def walk(s: Any) -> None:
        if isinstance(s, list):
            for branch in s:
                walk(branch)
        elif isinstance(s, dict):
            kind = s.get("type")
            if kind in _NAMED:
                if s["name"] in found:
                    return
                found[s["name"]] = s
                for field in s.get("fields", ()):
                    walk(field["type"])
            elif kind == "array":
                walk(s["items"])
            elif kind == "map":
                walk(s["values"])
            elif isinstance(kind, (dict, list)):
                walk(kind)

    walk(schema)
    return found


def _short(fullname: str) -> str:
    return fullname.rsplit(".", 1)[-1]


def _root_path(schema: Any) -> str:
    if isinstance(schema, dict) and schema.get("type") in _NAMED:
        return _short(schema["name"])
    return "<root>"


class _Resolver:
    def __init__(self, writer_named: dict[str, dict], reader_named: dict[str, dict]):
        self.writer_named = writer_named
        self.reader_named = reader_named
        self._done: set[tuple[str, str]] = set()

    # Schemas are compared after resolving references to named types and unwrapping
    # {"type": "string"}-style dicts without a logical type.
    def _deref(self, s: Any, named: dict[str, dict]) -> Any:
        while True:
            if isinstance(s, str) and s in named:
                return named[s]
            if isinstance(s, dict) and not isinstance(s.get("type"), str):
                s = s["type"]
                continue
            if isinstance(s, dict) and s["type"] not in _NAMED + ("array", "map") and "logicalType" not in s:
                s = s["type"]
                continue
            return s

    @staticmethod
    def _kind(s: Any) -> str:
        if isinstance(s, list):
            return "union"
        if isinstance(s, dict):
            return s["type"]
        return s

    def _describe(self, s: Any, depth: int = 0) -> str:
        kind = self._kind(s)
        if kind == "union":
            shown = [self._describe(b, depth + 1) for b in s[:4]]
            if len(s) > 4:
                shown[3:] = [f"… ({len(s)} branches)"]
            return "union[" + ", ".join(shown) + "]"
        if isinstance(s, str):
            return _short(s) if s in self.writer_named or s in self.reader_named else s
        if kind in _NAMED:
            return f"{kind} {_short(s['name'])}"
        if kind == "array":
            return "array<" + (self._describe(s["items"], depth + 1) if depth < 2 else "…") + ">"
        if kind == "map":
            return "map<" + (self._describe(s["values"], depth + 1) if depth < 2 else "…") + ">"
        if "logicalType" in s:
            return f"{kind} ({s['logicalType']})"
        return kind

    def _names_match(self, w: dict, r: dict) -> bool:
        """Named types resolve by unqualified name, or by an alias of the reader (as fastavro does)."""
        if _short(w["name"]) == _short(r["name"]):
            return True
        return _short(w["name"]) in {_short(a) for a in r.get("aliases", ())}

    def _matches(self, w: Any, r: Any) -> bool:
        """Would a union pick reader branch ``r`` for writer schema ``w`` (spec: first match)?"""
        w = self._deref(w, self.writer_named)
        r = self._deref(r, self.reader_named)
        wk, rk = self._kind(w), self._kind(r)
        if wk == "union" or rk == "union":
            return True
        if wk in _NAMED and rk in _NAMED:
            return wk == rk and self._names_match(w, r)
        if wk in ("array", "map") or rk in ("array", "map"):
            if wk != rk:
                return False
            key = "items" if wk == "array" else "values"
            return self._matches(w[key], r[key])
        return wk == rk or rk in _PROMOTIONS.get(wk, ())

    def resolve(self, w: Any, r: Any, path: str) -> None:
        w = self._deref(w, self.writer_named)
        r = self._deref(r, self.reader_named)
        wk, rk = self._kind(w), self._kind(r)

        if wk == "union":
            several = sum(1 for b in w if self._kind(self._deref(b, self.writer_named)) != "null") > 1
            for branch in w:
                branch_path = self._branch_path(path, branch, several)
                if rk == "union":
                    target = next((rb for rb in r if self._matches(branch, rb)), None)
                    if target is None:
                        raise IncompatibleSchema(
                            f"field {path}: type changed from {self._describe(w)} to {self._describe(r)}; "
                            f"no new branch reads the old branch {self._describe(branch)} "
                            f"(a removed branch, or a change that is not an Avro promotion)"
                            + self._rename_hint(branch, r)
                        )
                    self.resolve(branch, target, branch_path)
                else:
                    if not self._matches(branch, r):
                        raise IncompatibleSchema(
                            f"field {path}: the old union branch {self._describe(branch)} cannot be "
                            f"read as {self._describe(r)} (was {self._describe(w)})"
                        )
                    self.resolve(branch, r, branch_path)
            return

        if rk == "union":
            target = next((rb for rb in r if self._matches(w, rb)), None)
            if target is None:
                raise IncompatibleSchema(
                    f"field {path}: type changed from {self._describe(w)} to {self._describe(r)}, "
                    "which has no branch that can read it"
                )
            self.resolve(w, target, path)
            return

        if wk != rk and rk not in _PROMOTIONS.get(wk, ()):
            raise IncompatibleSchema(
                f"field {path}: type changed from {self._describe(w)} to {self._describe(r)}, "
                "which is not an Avro promotion"
            )
        self._check_logical(w, r, path)

        if wk in _NAMED:
            if not self._names_match(w, r):
                raise IncompatibleSchema(
                    f"field {path}: {wk} {w['name']} was renamed to {r['name']} without an alias "
                    f"(add \"aliases\": [\"{w['name']}\"])"
                )
            if wk == "enum":
                self._resolve_enum(w, r, path)
            elif wk == "fixed":
                if w["size"] != r["size"]:
                    raise IncompatibleSchema(
                        f"field {path}: fixed {_short(r['name'])} size changed from {w['size']} to {r['size']}"
                    )
            else:
                self._resolve_record(w, r, path)
        elif wk == "array":
            self.resolve(w["items"], r["items"], f"{path}[]")
        elif wk == "map":
            self.resolve(w["values"], r["values"], f"{path}{{}}")

    def _rename_hint(self, branch: Any, reader_union: list) -> str:
        """For a named branch with no match, suggest the alias when it looks renamed."""
        b = self._deref(branch, self.writer_named)
        if not (isinstance(b, dict) and b.get("type") in _NAMED):
            return ""
        writer_names = {_short(n) for n in self.writer_named}
        renamed = [
            _short(rb["name"])
            for rb in (self._deref(x, self.reader_named) for x in reader_union)
            if isinstance(rb, dict) and rb.get("type") == b["type"] and _short(rb["name"]) not in writer_names
        ]
        if not renamed:
            return ""
        return f"; if {_short(b['name'])} was renamed to {' or '.join(renamed)}, add \"aliases\": [\"{b['name']}\"]"

    def _branch_path(self, path: str, branch: Any, several: bool) -> str:
        b = self._deref(branch, self.writer_named)
        if several and isinstance(b, dict) and b.get("type") in _NAMED:
            return f"{path}[{_short(b['name'])}]"
        return path

    def _check_logical(self, w: Any, r: Any, path: str) -> None:
        wl = w.get("logicalType") if isinstance(w, dict) else None
        rl = r.get("logicalType") if isinstance(r, dict) else None
        if wl != rl:
            raise IncompatibleSchema(
                f"field {path}: logical type changed from {wl or 'none'} to {rl or 'none'}; "
                "the bytes would read but mean something else"
            )
        if wl == "decimal":
            if w.get("scale", 0) != r.get("scale", 0):
                raise IncompatibleSchema(
                    f"field {path}: decimal scale changed from {w.get('scale', 0)} to {r.get('scale', 0)}"
                )
            if r["precision"] < w["precision"]:
                raise IncompatibleSchema(
                    f"field {path}: decimal precision reduced from {w['precision']} to {r['precision']}"
                )

    def _resolve_enum(self, w: dict, r: dict, path: str) -> None:
        lost = [s for s in w["symbols"] if s not in r["symbols"]]
        if lost and "default" not in r:
            raise IncompatibleSchema(
                f"field {path}: enum {_short(r['name'])} lost symbol(s) {', '.join(lost)} and has no enum default"
            )

    def _resolve_record(self, w: dict, r: dict, path: str) -> None:
        key = (w["name"], r["name"])
        if key in self._done:  # recursive types, or a named type used in several places
            return
        self._done.add(key)
        writer_fields = {f["name"]: f for f in w["fields"]}
        for field in r["fields"]:
            field_path = f"{path}.{field['name']}"
            source = writer_fields.get(field["name"])
            if source is None:
                source = next((writer_fields[a] for a in field.get("aliases", ()) if a in writer_fields), None)
            if source is None:
                if "default" not in field:
                    raise IncompatibleSchema(
                        f"field {field_path} was added without a default; old data has no value for it"
                    )
                continue
            self.resolve(source["type"], field["type"], field_path)


# --- round trip ---------------------------------------------------------------------------


def _round_trip(old: Any, new: Any, samples: int, seed: int) -> None:
    """Write generated data with ``old`` and read it with ``new`` through fastavro's resolution."""
    if samples <= 0:
        return
    state = random.getstate()  # generate_many draws from the global generator; leave it as found
    try:
        random.seed(seed)
        data = list(generate_many(old, samples))
    finally:
        random.setstate(state)
    for index, datum in enumerate(data):
        buffer = io.BytesIO()
        schemaless_writer(buffer, old, datum)
        size = buffer.tell()
        if not _reads_back(buffer, old):
            continue  # fastavro generates decimals beyond their precision: not data anyone can write validly
        buffer.seek(0)
        try:
            schemaless_reader(buffer, old, new)
        except Exception as exc:  # fastavro raises several types on a failed resolution
            raise IncompatibleSchema(
                f"generated record {index} (seed {seed}) written with the old schema does not read "
                f"with the new: {type(exc).__name__}: {exc}"
            ) from None
        if buffer.tell() != size:
            raise IncompatibleSchema(
                f"generated record {index} (seed {seed}) written with the old schema reads with the new "
                f"but leaves {size - buffer.tell()} byte(s) unread"
            )


def _reads_back(buffer: io.BytesIO, schema: Any) -> bool:
    buffer.seek(0)
    try:
        schemaless_reader(buffer, schema, schema)
    except ValueError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    schemas_dir = Path(args[0]) if args else SCHEMAS_DIR
    try:
        names = check_all(schemas_dir)
    except IncompatibleSchema as exc:
        print(f"schemas: {exc.message}", file=sys.stderr)
        return 1
    print(f"schemas: {len(names)} compatible ({', '.join(names)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
