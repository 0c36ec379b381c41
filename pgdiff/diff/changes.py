"""The typed change the diff produces and the planner consumes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Change:
    kind: str  # "schema" | "extension" | "table" | "column" | "constraint" | "index"
    action: str  # "create" | "drop" | "alter" | "rename" (desired holds the old name)
    key: tuple[str, ...]
    current: Any = None
    desired: Any = None
    attributes: tuple[str, ...] = ()  # for "alter": the attributes that differ

    @property
    def name(self) -> str:
        """Dotted identity for humans, e.g. `public.users.email`."""
        return ".".join(self.key)
