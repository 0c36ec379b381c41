"""What a database holds that pgdiff does not model, said out loud: never silently left out.

The catalog lists objects of the kinds pgdiff has no model for (aggregates, rules, publications, event
triggers, foreign tables...: `catalog/unmanaged.sql`) that a user made. plan, apply, drift and dump name
them in a warning: no plan creates, changes or drops them, no drift compares them, no dump writes them.
With `--strict` (`strict: true` in pgdiff.yaml) they are an error instead, before anything is planned.
"""

from __future__ import annotations

from collections.abc import Callable

from pgdiff.errors import PgdiffError
from pgdiff.model import Model

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
