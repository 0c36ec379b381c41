"""What `pgdiff apply` shows while it runs, and where it stopped when it failed.

On a terminal: a live rich display with statement i/N, the time elapsed and the statement running
(kind, object, first line of its SQL). Elsewhere (CI logs): one plain line per statement, written and
flushed *before* the statement runs, so the log of a job that hangs names the statement it hangs on.
apply.py calls the hooks; this module only presents.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.text import Text

from pgdiff.apply import ApplyFailure
from pgdiff.plan import Statement


def describe(statement: Statement) -> str:
    return f"{statement.action} {statement.kind} {statement.object}"


def first_line(sql: str) -> str:
    return next((line.strip() for line in sql.splitlines() if line.strip()), "")


class ApplyProgress:
    """Receives apply's hook calls (`started`, `finished`, `retry`); a context manager around the run."""

    def __init__(self, console: Console, clock: Callable[[], float] = time.monotonic) -> None:
        self._console = console
        self._clock = clock
        self._start = clock()
        self._live: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> ApplyProgress:
        self._start = self._clock()
        if self._console.is_terminal:
            self._live = Progress(
                TextColumn("{task.fields[position]}", markup=False),
                BarColumn(bar_width=20),
                TimeElapsedColumn(),
                TextColumn("{task.description}", markup=False),
                TextColumn("{task.fields[sql]}", style="dim", markup=False),
                console=self._console,
                refresh_per_second=4,  # the elapsed time keeps moving while a long index build runs
            )
            self._live.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    def started(self, number: int, total: int, statement: Statement) -> None:
        if self._live is None:
            elapsed = self._clock() - self._start
            self._console.print(Text(f"[{number}/{total}] +{elapsed:.1f}s {describe(statement)}"))
            self._console.file.flush()
            return
        fields = {"position": f"{number}/{total}", "sql": first_line(statement.sql)}
        if self._task is None:
            self._task = self._live.add_task(describe(statement), total=total, **fields)
        self._live.update(self._task, description=describe(statement), completed=number - 1, **fields)

    def finished(self, number: int, total: int, statement: Statement) -> None:
        if self._live is not None and self._task is not None:
            self._live.update(self._task, completed=number)

    def retry(self, statement: Statement, attempt: int, delay: float) -> None:
        console = self._live.console if self._live is not None else self._console
        where = f" on {statement.kind} {statement.object}: retry {attempt} of the group in {delay:g}s"
        console.print(Text.assemble(("lock timeout", "yellow"), where))


def render_apply_failure(failure: ApplyFailure, console: Console) -> None:
    """Where apply stopped, and for every statement of the plan whether it stays, was undone or never ran."""
    statement = failure.statement
    total = len(failure.statements)
    sqlstate = f" (SQLSTATE {failure.sqlstate})" if failure.sqlstate else ""
    console.print(
        Text.assemble(
            ("error: ", "bold red"),
            f"apply failed at statement {failure.failed}/{total}, {describe(statement)}: {failure.message}{sqlstate}",
        )
    )
    console.print(Text(f"  failed SQL: {statement.sql}"))
    for title, numbers in (
        ("committed (these stay)", failure.committed),
        ("rolled back with it", failure.rolled_back),
        ("not run", failure.not_run),
    ):
        console.print(Text(f"{title}: {len(numbers)}", style="bold"))
        for number in numbers:
            console.print(Text(f"  [{number}/{total}] {describe(failure.statements[number - 1])}"))
    console.print(
        Text("Fix the cause and run pgdiff apply again: it plans from what is in the database now.", style="dim")
    )
