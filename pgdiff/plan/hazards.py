"""Hazard codes and their messages, in one place. Each names the object and the reason.

| code                    | meaning                                                                   |
| ----------------------- | ------------------------------------------------------------------------- |
| data-loss               | rows or values are destroyed (drops, narrowing type changes)              |
| table-rewrite           | the table and its indexes are rewritten                                   |
| access-exclusive-lock   | ACCESS EXCLUSIVE is held for more than a catalog update (reads block too) |
| validates-existing-rows | existing rows are scanned and the statement fails if one violates it      |
| index-build             | an index is built: CPU and I/O proportional to the table                  |
| index-dropped           | an index is dropped: queries that used it may become slow                 |
| non-transactional       | runs outside a transaction; a failure can leave an INVALID index behind   |
| breaking-change         | a name running application code may still use is renamed or removed      |
| table-recreate          | the table is made again and its rows copied; writes block meanwhile       |
"""

from __future__ import annotations

from pgdiff.plan.types import Hazard

CODES = (
    "data-loss",
    "table-rewrite",
    "access-exclusive-lock",
    "validates-existing-rows",
    "index-build",
    "index-dropped",
    "non-transactional",
    "breaking-change",
    "table-recreate",
)


def data_loss(what: str) -> Hazard:
    return Hazard("data-loss", what)


def table_rewrite(table: str, why: str) -> tuple[Hazard, Hazard]:
    return (
        Hazard("table-rewrite", f"table {table} is rewritten: {why}"),
        Hazard("access-exclusive-lock", f"table {table} is locked against reads and writes while it is rewritten"),
    )


def table_recreate(table: str, why: str) -> tuple[Hazard, Hazard]:
    """A table made again with its rows copied (plan/recreate.py), all in one transaction."""
    return (
        Hazard(
            "table-recreate",
            f"table {table} is recreated ({why}): it is created again, every row is copied into it and the old "
            "one is dropped, in one transaction; writes are blocked for the copy's duration",
        ),
        Hazard("access-exclusive-lock", f"table {table} is locked against reads and writes until its rows are copied"),
    )


def exclusive_lock(table: str, why: str) -> Hazard:
    return Hazard("access-exclusive-lock", f"table {table} is locked against reads and writes while {why}")


def validates_rows(table: str, what: str) -> Hazard:
    return Hazard("validates-existing-rows", f"table {table} is scanned to check {what}; fails if a row violates it")


def index_build(index: str, table: str) -> Hazard:
    return Hazard("index-build", f"index {index} is built on {table}: CPU and I/O proportional to its size")


def index_dropped(index: str) -> Hazard:
    return Hazard("index-dropped", f"index {index} is dropped: queries that used it may become slow")


def non_transactional(what: str) -> Hazard:
    return Hazard(
        "non-transactional",
        f"{what} runs outside a transaction: if it fails it leaves an INVALID index that the next apply rebuilds",
    )


def breaking(what: str) -> Hazard:
    return Hazard("breaking-change", f"{what}: application code still using the old name fails")


def view_rebuilt(view: str, why: str) -> tuple[Hazard, Hazard]:
    """A materialized view dropped and created again: its query runs over everything it reads."""
    return (
        Hazard("table-rewrite", f"materialized view {view} is rebuilt ({why}): its query runs again in full"),
        Hazard("access-exclusive-lock", f"materialized view {view} is locked against reads until it is rebuilt"),
    )


def access_narrowed(what: str) -> Hazard:
    """Roles lose access they had: queries that worked start failing or return fewer rows."""
    return Hazard("breaking-change", f"{what}: queries that worked may fail or see fewer rows")
