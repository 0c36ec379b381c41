"""What a database holds that pgdiff does not model, said out loud: never silently left out.

The catalog lists objects of the kinds pgdiff has no model for (aggregates, rules, publications, event
triggers, foreign tables...: `catalog/unmanaged.sql`) that a user made. plan, apply, drift and dump name
them in a warning: no plan creates, changes or drops them, no drift compares them, no dump writes them.
With `--strict` (`strict: true` in pgdiff.yaml) they are an error instead, before anything is planned.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from pgdiff.errors import PgdiffError
from pgdiff.model import Model
from pgdiff.plan.types import Plan
from pgdiff.source.sql import SqlStatement

SHOWN = 10  # names listed in full; the rest are counted


def unmanaged_message(model: Model, where: str, consequence: str) -> str | None:
    """One line naming what `model` (of the database `where` names) holds that pgdiff does not manage."""
    if not model.unmanaged:
        return None
    labels = [obj.label for obj in model.unmanaged]
    shown = ", ".join(labels[:SHOWN]) + (f" and {len(labels) - SHOWN} more" if len(labels) > SHOWN else "")
    count = f"{len(labels)} object{'s' if len(labels) != 1 else ''}"
    return f"{where} has {count} of kinds pgdiff does not manage, {consequence}: {shown}"


def report_unmanaged(model: Model, where: str, consequence: str, warn: Callable[[str], None], *, strict: bool) -> None:
    """Warn of the objects pgdiff does not manage in `model`; with `strict`, refuse to go on."""
    message = unmanaged_message(model, where, consequence)
    if message is None:
        return
    if strict:
        raise PgdiffError(f"{message} (--strict)")
    warn(message)


def owners_left_alone_message(desired: Model, statements: Sequence[SqlStatement]) -> str | None:
    """Without --manage-owners, the files' OWNER TO statements change nothing: said once, naming where they
    are (pg_dump's output sets the owner of everything, and a user who wrote one expects it to count)."""
    owned = [owner for owner in desired.owners.values() if not owner.is_reader]
    if not owned:
        return None
    places = [s.location() for s in statements if _sets_owner(s.text)]
    shown = 5
    where = ", ".join(places[:shown]) + (f" and {len(places) - shown} more" if len(places) > shown else "")
    count = f"{len(owned)} object{'s' if len(owned) != 1 else ''}"
    return (
        f"the files set the owner of {count} ({where or 'in YAML'}), which pgdiff does not compare without "
        "--manage-owners: no plan changes an owner"
    )


_OWNER_TO = re.compile(r"\bOWNER\s+TO\b", re.I)


def _sets_owner(text: str) -> bool:
    return text.lstrip()[:5].upper() == "ALTER" and _OWNER_TO.search(text) is not None


# Statements that take away what another object stands on: a DROP of a whole object or a column, a column's
# new type (PostgreSQL refuses it under a rule), a table made again (plan/recreate.py drops the old one).
_TAKES_AWAY = re.compile(
    r"^\s*DROP\b|\bDROP (TABLE|VIEW|MATERIALIZED VIEW|FUNCTION|PROCEDURE|TYPE|DOMAIN|COLUMN)\b"
    r"|\bALTER COLUMN .+? TYPE\b",
    re.S,
)
_STATEMENT_KINDS = {"view": ("view", "materialized view"), "function": ("function", "procedure")}


def refuse_losing_unmanaged(plan: Plan, current: Model) -> None:
    """Refuse a plan that drops, makes again or retypes what an object pgdiff does not manage uses (a rule on
    a view that is rebuilt, a publication's table that is recreated, an aggregate's function): PostgreSQL
    would refuse it half way or, worse, take the object along. Every such statement is named at once."""
    if not current.unmanaged_uses:
        return
    problems = []
    for statement in plan.statements:
        if not _TAKES_AWAY.search(statement.sql):
            continue
        for user, (kind, key) in current.unmanaged_uses:
            if statement.kind in _STATEMENT_KINDS.get(kind, (kind,)) and statement.object == _identity(kind, key):
                problems.append(
                    f"the plan {statement.action}s {statement.kind} {statement.object} ({_first_line(statement.sql)}), "
                    f"which {user.label} uses; pgdiff does not manage it and it would be lost or block the plan: "
                    "drop it first, or leave the object out with --exclude"
                )
    if problems:
        raise PgdiffError("\n".join(dict.fromkeys(problems)))


def _identity(kind: str, key: tuple[str, ...]) -> str:
    """`Statement.object` for an object of the model."""
    if kind == "function":
        return f"{key[0]}.{key[1]}({key[2]})"
    return ".".join(key)


def _first_line(sql: str) -> str:
    return sql.strip().splitlines()[0]
