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
from functools import cached_property

from pgdiff.model import Cast, Domain, Model
from pgdiff.quoting import qualified

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


# -- what PostgreSQL converts by itself ------------------------------------------------------------------
#
# `ALTER COLUMN ... TYPE` without USING converts the old values as an assignment would: through a cast of
# context implicit or assignment, by I/O to a string type (anything converts to text), element by element
# for arrays, a domain as its base type. Where there is none, pgdiff writes `USING col::new` when an explicit
# cast exists (integer to boolean; a string type read by the new type's input function: text to integer,
# jsonb, a domain), goes through text between enums and string types (an enum's values are its labels'
# text), and otherwise (bigint to timestamp, integer to jsonb) needs the files' conversion, or refuses the
# plan: the apply would fail.


@dataclass(frozen=True)
class BareType:
    """A type as format_type() prints it without modifiers, and whether the column holds arrays of it."""

    name: str
    array: bool = False

    @property
    def element(self) -> BareType:
        return BareType(self.name)


def bare_type(text: str) -> BareType:
    parsed = parse_type(text)
    if parsed is None:
        return BareType(text)
    # Interval fields print after the name ("interval year to month") but the cast is on interval itself.
    name = "interval" if parsed.base.startswith("interval ") else parsed.base
    return BareType(name, bool(parsed.array))


@dataclass(frozen=True)
class TypeFacts:
    """The catalog facts a type change is decided from: both sides' casts, enums and domains (by printed name).

    Old types are resolved in the current model and new ones in the desired model; casts of either server
    count (an extension being created brings its casts along)."""

    current: Model
    desired: Model

    def cast(self, source: str, target: str) -> Cast | None:
        return self.desired.casts.get((source, target)) or self.current.casts.get((source, target))

    def is_string(self, name: str) -> bool:
        return name in self.desired.string_types or name in self.current.string_types

    @cached_property
    def _domains(self) -> tuple[dict[str, Domain], dict[str, Domain]]:
        """Each side's domains by printed name (old, new)."""
        return tuple({qualified(*key): d for key, d in model.domains.items()} for model in (self.current, self.desired))

    @cached_property
    def _enums(self) -> tuple[set[str], set[str]]:
        return tuple({qualified(*key) for key in model.enums} for model in (self.current, self.desired))

    def resolve(self, text: str, *, old: bool) -> tuple[BareType, bool]:
        """The type under any domains (an enum named `enum <name>`), and whether values are checked or
        converted on the way: a modifier (a length limit), or a domain with NOT NULL or CHECK."""
        domains, enums = self._domains[0 if old else 1], self._enums[0 if old else 1]
        found = bare_type(text)
        checked = bool(parse_type(text) and parse_type(text).mods)
        seen: set[str] = set()
        while found.name in domains and found.name not in seen:
            seen.add(found.name)
            domain = domains[found.name]
            base = parse_type(domain.base_type)
            checked |= domain.not_null or bool(domain.checks) or bool(base and base.mods)
            found = BareType(bare_type(domain.base_type).name, found.array or bare_type(domain.base_type).array)
        return (BareType(f"enum {found.name}", found.array) if found.name in enums else found), checked

    def is_constrained_domain(self, text: str) -> bool:
        """Whether `text` (a new column's type) is a domain with NOT NULL or a CHECK, its own or a base
        domain's: ADD COLUMN then checks NULL against them in every row, a rewrite (an array of it is not)."""
        domains = self._domains[1]
        found = bare_type(text)
        seen: set[str] = set()
        while not found.array and found.name in domains and found.name not in seen:
            seen.add(found.name)
            domain = domains[found.name]
            if domain.not_null or domain.checks:
                return True
            found = bare_type(domain.base_type)
        return False


def is_enum(bare: BareType) -> bool:
    return bare.name.startswith("enum ")


def enum_key(enum: BareType) -> tuple[str, str]:
    """(schema, name) of an enum as `resolve` names it, e.g. `enum public."My Mood"`."""
    schema, name = _split_qualified(enum.name.removeprefix("enum "))
    return (_unquote(schema or ""), _unquote(name))


def converts_in_assignment(old: str, new: str, facts: TypeFacts) -> bool:
    """Whether PostgreSQL converts `old` values to `new` by itself (find_coercion_pathway in an assignment)."""
    source, _ = facts.resolve(old, old=True)
    target, _ = facts.resolve(new, old=False)
    return _assignable(source, target, facts)


def _assignable(source: BareType, target: BareType, facts: TypeFacts) -> bool:
    if source == target:
        return True
    if source.array and target.array:
        return _assignable(source.element, target.element, facts)
    if not source.array and not target.array and not is_enum(source) and not is_enum(target):
        cast = facts.cast(source.name, target.name)
        if cast is not None:
            return cast.context in ("i", "a")
    # No cast: anything converts to a string type through its output function.
    return not target.array and facts.is_string(target.name)


def converts_through_text(old: str, new: str, facts: TypeFacts) -> bool:
    """Enums and string types convert to each other through text (`col::text::new`): a value that is not a
    label of the new enum fails the statement."""
    source, _ = facts.resolve(old, old=True)
    target, _ = facts.resolve(new, old=False)
    if source.array != target.array or not (is_enum(source) or is_enum(target)):
        return False
    return all(is_enum(side) or facts.is_string(side.name) for side in (source, target))


def converts_explicitly(old: str, new: str, facts: TypeFacts) -> bool:
    """Whether `col::new` converts `old` values: a cast of any context (integer to boolean), or a string
    type read by the new type's input function (text to integer, uuid, jsonb or a domain)."""
    source, _ = facts.resolve(old, old=True)
    target, _ = facts.resolve(new, old=False)
    return _castable(source, target, facts)


def _castable(source: BareType, target: BareType, facts: TypeFacts) -> bool:
    if _assignable(source, target, facts):
        return True
    if source.array and target.array:
        return _castable(source.element, target.element, facts)
    if source.array or target.array:
        return False
    if not is_enum(source) and not is_enum(target) and facts.cast(source.name, target.name) is not None:
        return True
    return facts.is_string(source.name)


def is_binary_coercible(old: str, new: str, facts: TypeFacts) -> bool:
    """Whether `old` values are valid `new` values as they are: no rewrite (citext to text, a domain to its
    base type, a type to an unconstrained domain over it). A domain with constraints is checked by a rewrite."""
    source, _ = facts.resolve(old, old=True)
    target, checked = facts.resolve(new, old=False)
    if checked or source.array or target.array or is_enum(source) or is_enum(target):
        return False
    if source == target:
        return True
    cast = facts.cast(source.name, target.name)
    return cast is not None and cast.method == "b" and cast.context in ("i", "a")


def moved_with_extension(old: str, new: str, current: Model, desired: Model) -> bool:
    """Whether `new` is the type `old` names once its extension is moved to another schema (`public.citext` to
    `extensions.citext`): the same type, which ALTER EXTENSION ... SET SCHEMA moves with every column."""
    old_schema, old_name = _split_qualified(old)
    new_schema, new_name = _split_qualified(new)
    if old_name != new_name or old_schema == new_schema or old_schema is None or new_schema is None:
        return False
    type_name = _unquote(old_name.removesuffix("[]"))
    for name, before in current.extensions.items():
        after = desired.extensions.get(name)
        if after is None or (before.schema, after.schema) != (_unquote(old_schema), _unquote(new_schema)):
            continue
        if type_name in before.types:
            return True
    return False


_QUALIFIED = re.compile(r'(?P<schema>"(?:[^"]|"")+"|[^."]+)\.(?P<name>.+)')


def _split_qualified(text: str) -> tuple[str | None, str]:
    match = _QUALIFIED.fullmatch(text)
    return (match.group("schema"), match.group("name")) if match else (None, text)


def _unquote(name: str) -> str:
    return name[1:-1].replace('""', '"') if name.startswith('"') else name
