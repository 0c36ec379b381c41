"""`pgdiff.yaml`: the project's settings, so a CI job runs `pgdiff plan --env production` and nothing more.

Owns finding the file (the current directory, then its parents up to the repository root), checking it
against `config.schema.json` with file:line:column errors, and layering: built-in defaults, then the
file's top level, then the chosen `environments:` section, then command-line options. Database URLs
never go in the file: it names the environment variable that holds them, so the file can be committed.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, fields, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from pgdiff.errors import PgdiffError, SourceError
from pgdiff.plan.hazards import CODES as HAZARD_CODES
from pgdiff.plan.timeouts import parse_duration_ms
from pgdiff.source.yaml_schema import check_against, where

CONFIG_FILE = "pgdiff.yaml"
SCHEMA_FILE = "config.schema.json"
DURATION_KEYS = ("lock_timeout", "statement_timeout", "wait")


@dataclass(frozen=True)
class Settings:
    """Every setting a command may take from the file; None = not set at this layer."""

    sources: tuple[str, ...] | None = None
    database_url_env: str | None = None
    dev_url_env: str | None = None
    schemas: tuple[str, ...] | None = None
    exclude: tuple[str, ...] | None = None
    manage_owners: bool | None = None
    lock_timeout: str | None = None
    statement_timeout: str | None = None
    lock_retries: int | None = None
    wait: str | None = None
    allow_hazards: tuple[str, ...] | None = None
    prove: bool | None = None  # None: apply proves, plan does not
    strict: bool | None = None  # objects of kinds pgdiff does not manage are an error, not a warning

    def over(self, base: Settings) -> Settings:
        """These settings where set, `base`'s elsewhere."""
        mine = {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}
        return replace(base, **mine)


@dataclass(frozen=True)
class Config:
    path: Path | None  # None: no pgdiff.yaml found, built-in defaults only
    settings: Settings
    environment: str | None = None

    def database_url(self) -> str | None:
        """The URL in the variable `database_url_env` names; None when the file names none."""
        return self._url_from("database_url_env")

    def dev_url(self) -> str | None:
        return self._url_from("dev_url_env")

    def _url_from(self, key: str) -> str | None:
        variable = getattr(self.settings, key)
        if variable is None:
            return None
        value = os.environ.get(variable)
        if not value:
            chosen = f" (environment {self.environment})" if self.environment else ""
            raise PgdiffError(f"{self.path}: {key}{chosen} names ${variable}, which is not set or empty")
        return value


def find_config(start: Path) -> Path | None:
    """pgdiff.yaml in `start` or the nearest parent, stopping at the repository root (a `.git`)."""
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return candidate
        if (directory / ".git").exists():
            return None
    return None


def load_config(path: Path | None = None, environment: str | None = None, *, start: Path | None = None) -> Config:
    """The settings from `path` (or the pgdiff.yaml found from `start`, default the current directory),
    with `environment`'s section over the top level."""
    explicit = path is not None
    path = path if explicit else find_config((start or Path.cwd()).resolve())
    if path is None:
        if environment is not None:
            raise PgdiffError(f"--env {environment}: no {CONFIG_FILE} found here or in a parent directory")
        return Config(None, Settings())
    if not path.is_file():
        raise PgdiffError(f"{path}: no such configuration file")
    document = _read(path)
    top = _settings(path, document, base_dir=path.parent)
    if environment is None:
        return Config(path, top)
    sections = document.get("environments") or {}
    if environment not in sections:
        known = ", ".join(sorted(sections)) or "none are defined"
        raise PgdiffError(f"{path}: no environment {environment!r} under environments: ({known})")
    section = _settings(path, sections[environment], base_dir=path.parent)
    return Config(path, section.over(top), environment)


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or error
        raise PgdiffError(f"{path}: cannot read the configuration: {reason}") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise SourceError(f"{at}: not valid YAML: {getattr(error, 'problem', None) or error}") from None
    if node is None:
        return {}
    check_against(path, node, config_schema(), CONFIG_FILE)
    _check_values(path, node)
    return _construct(node)


def _construct(node: yaml.Node) -> dict[str, Any]:
    constructor = yaml.constructor.SafeConstructor()
    return constructor.construct_document(node)


def _check_values(path: Path, document: yaml.MappingNode) -> None:
    """What the schema cannot say: durations parse and hazard codes exist, at the line that holds them."""
    sections = [document]
    for key, value in document.value:
        if key.value == "environments" and isinstance(value, yaml.MappingNode):
            sections += [section for _, section in value.value if isinstance(section, yaml.MappingNode)]
    for section in sections:
        for key, value in section.value:
            if key.value in DURATION_KEYS:
                parse_duration_ms(str(value.value), f"{where(path, value)}: {key.value}")
            elif key.value == "allow_hazards":
                for item in value.value:
                    if item.value != "all" and item.value not in HAZARD_CODES:
                        raise SourceError(
                            f"{where(path, item)}: unknown hazard code {item.value!r}; "
                            f"codes: {', '.join(HAZARD_CODES)}, or all"
                        )


def _settings(path: Path, section: dict[str, Any], *, base_dir: Path) -> Settings:
    values = {k: v for k, v in section.items() if k != "environments"}
    for key in ("sources", "schemas", "exclude", "allow_hazards"):
        if key in values:
            values[key] = tuple(str(v) for v in values[key])
    if "sources" in values:
        values["sources"] = tuple(_relative_source(s, base_dir) for s in values["sources"])
    return Settings(**values)


def _relative_source(source: str, base_dir: Path) -> str:
    """A path in the file is relative to the file; the commands resolve paths from the current directory."""
    if source.startswith(("postgresql://", "postgres://")) or Path(source).is_absolute():
        return source
    resolved = os.path.relpath(base_dir / source, Path.cwd())
    return resolved + ("/" if source.endswith("/") and not resolved.endswith("/") else "")


@cache
def config_schema() -> dict[str, Any]:
    return json.loads(resources.files("pgdiff").joinpath(SCHEMA_FILE).read_text())
