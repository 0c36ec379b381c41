"""What a plan is made of: statements with hazards, grouped into transactions."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Hazard:
    code: str  # stable, e.g. "data-loss"; what --allow-hazards names
    message: str  # names the object and the reason


@dataclass(frozen=True)
class Statement:
    sql: str
    kind: str  # object kind, e.g. "index"
    action: str  # "create" | "drop" | "alter" | "validate" ...
    object: str  # dotted identity of the object the statement changes
    table: str | None = None  # dotted identity of the table it belongs to, for grouping output
    transactional: bool = True  # False for CONCURRENTLY, which cannot run in a transaction block
    hazards: tuple[Hazard, ...] = ()
    # Milliseconds; 0 means no limit. Filled in by `plan.timeouts.with_timeouts`.
    lock_timeout_ms: int = 0
    statement_timeout_ms: int = 0
    # Run before retrying after a failed attempt, e.g. dropping the INVALID index a failed
    # CREATE INDEX CONCURRENTLY leaves behind.
    cleanup_sql: str | None = None
    # A transaction of its own, committed before the next statement starts: VALIDATE CONSTRAINT must not
    # share the transaction that added the constraint, or that one's lock would be held through the scan.
    own_transaction: bool = False

    @property
    def timeouts(self) -> tuple[tuple[str, int], ...]:
        """(setting, milliseconds) pairs to SET before running the statement."""
        return (("lock_timeout", self.lock_timeout_ms), ("statement_timeout", self.statement_timeout_ms))


@dataclass(frozen=True)
class Group:
    """Statements run in one transaction, or a single statement run on its own."""

    transactional: bool
    statements: tuple[Statement, ...]


@dataclass(frozen=True)
class Plan:
    groups: tuple[Group, ...] = field(default_factory=tuple)

    @property
    def statements(self) -> list[Statement]:
        return [s for g in self.groups for s in g.statements]

    @property
    def hazards(self) -> list[Hazard]:
        return [h for s in self.statements for h in s.hazards]

    @property
    def is_empty(self) -> bool:
        return not self.groups


def group_statements(statements: list[Statement]) -> tuple[Group, ...]:
    """Consecutive transactional statements share a transaction; the others run alone."""
    groups: list[Group] = []
    pending: list[Statement] = []
    for statement in statements:
        if statement.transactional and not statement.own_transaction:
            pending.append(statement)
            continue
        if pending:
            groups.append(Group(True, tuple(pending)))
            pending = []
        groups.append(Group(statement.transactional, (statement,)))
    if pending:
        groups.append(Group(True, tuple(pending)))
    return tuple(groups)
