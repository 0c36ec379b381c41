"""Which column type changes rewrite the table, and which can lose data.

PostgreSQL skips the rewrite of `ALTER COLUMN ... TYPE` when the old values are
valid as they are: binary-coercible casts (varchar to text, cidr to inet) and
typmod changes that only relax a limit (a longer varchar, a wider numeric with the
same scale, a finer timestamp precision). Everything else rewrites the table and
its indexes under ACCESS EXCLUSIVE. A change that tightens a limit converts values
through an explicit cast, which truncates or rounds: that is data loss.
Types are compared as `format_type()` prints them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TYPE = re.compile(
    r"(?P<base>[^()\[\]]+?)(?:\((?P<mods>[\d,\s]+)\))?(?P<suffix>(?: with(?:out)? time zone)?)(?P<array>(?:\[\])*)"
)

LENGTH_LIMITED = {"character varying", "bit varying"}
TRUNCATING = {"character varying", "character", "bit varying", "bit"}  # explicit casts cut values to the limit
PRECISION_LIMITED = {"timestamp", "time", "interval"}  # fractional-second precision
TEXT_LIKE = {"text", "character varying"}
BINARY_COERCIBLE = {("cidr", "inet")}


@dataclass(frozen=True)
class ParsedType:
    base: str  # with the time zone suffix, e.g. "timestamp without time zone"
    family: str  # without it, e.g. "timestamp"
    mods: tuple[int, ...]
    array: str

    @property
    def limit(self) -> int | None:
        return self.mods[0] if self.mods else None


def parse_type(text: str) -> ParsedType | None:
    match = _TYPE.fullmatch(text.strip())
    if not match:
        return None
    mods = tuple(int(m) for m in match.group("mods").split(",")) if match.group("mods") else ()
    family = match.group("base").strip()
    return ParsedType(family + match.group("suffix"), family, mods, match.group("array"))


@dataclass(frozen=True)
class TypeChange:
    rewrites: bool
    loses_data: bool
    reason: str


def classify(old: str, new: str) -> TypeChange:
    """What changing a column from type `old` to `new` costs."""
    a, b = parse_type(old), parse_type(new)
    if a is None or b is None or a.array or b.array:
        # Array element coercions always rebuild the arrays, even where the element cast is free.
        return TypeChange(True, bool(b and b.family in TRUNCATING and b.limit is not None), "arrays are rebuilt")
    if a.base == b.base:
        return _same_type_new_modifiers(a, b)
    if (a.family, b.family) in BINARY_COERCIBLE:
        return TypeChange(False, False, f"{a.family} values are valid {b.family} values")
    if a.family in TEXT_LIKE and b.family in TEXT_LIKE and b.limit is None:
        return TypeChange(False, False, "character types are binary compatible")
    if b.family in TRUNCATING and b.limit is not None:
        return TypeChange(True, True, f"values longer than {b.limit} are cut to {b.family}({b.limit})")
    return TypeChange(True, False, "values are converted")


def _same_type_new_modifiers(a: ParsedType, b: ParsedType) -> TypeChange:
    if a.family in LENGTH_LIMITED or a.family in PRECISION_LIMITED:
        if b.limit is None or (a.limit is not None and b.limit >= a.limit):
            return TypeChange(False, False, "the limit is only relaxed")
        return TypeChange(True, True, f"values longer or finer than {b.limit} are truncated or rounded")
    if a.family == "numeric":
        return _numeric(a, b)
    return TypeChange(True, a.limit is not None and b.limit is not None and b.limit < a.limit, "values are converted")


def _numeric(a: ParsedType, b: ParsedType) -> TypeChange:
    if not b.mods:
        return TypeChange(False, False, "the precision limit is removed")
    if not a.mods:
        return TypeChange(True, True, f"unconstrained numerics are rounded to numeric{b.mods}")
    old_precision, old_scale = a.mods[0], a.mods[1] if len(a.mods) > 1 else 0
    new_precision, new_scale = b.mods[0], b.mods[1] if len(b.mods) > 1 else 0
    if new_scale == old_scale and new_precision >= old_precision:
        return TypeChange(False, False, "the precision is only widened")
    loses = new_scale < old_scale or new_precision - new_scale < old_precision - old_scale
    return TypeChange(True, loses, "values are rescaled" + (" and rounded" if new_scale < old_scale else ""))
