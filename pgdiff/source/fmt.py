"""`pgdiff fmt`: one canonical layout for desired-state SQL and YAML files, comments kept.

SQL: each statement is laid out by pglast (as `pgdiff dump` writes it), checked by pglast's safety belt
to parse to the same tree. pglast's own comment handling moves comments away from the lines they were
on, which would detach a `-- pgdiff: renamed from` directive from its column; so comments between
statements are kept verbatim above the statement they precede, and a statement with a comment inside it
is left as written. psql meta-commands (`\\ir`) stay on their own line.

YAML: read and written by ruamel.yaml's round-trip mode, which keeps comments (and the
`# yaml-language-server` line); keys are put in the JSON Schema's order, with two-space indentation.

Formatting twice gives the same bytes as formatting once, and a formatted file loads to the same model.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pglast
from pglast.parser import ParseError, scan
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from pgdiff.errors import SourceError
from pgdiff.source.sql import line_of
from pgdiff.source.yaml_schema import json_schema

SUFFIXES = (".sql", ".yaml", ".yml")
_META = re.compile(r"^\s*\\[A-Za-z_!?]+")


def files_to_format(paths: list[str]) -> list[Path]:
    """The files the arguments name; directories are walked, skipping hidden ones (.git, .venv)."""
    found: list[Path] = []
    for argument in paths:
        path = Path(argument)
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix in SUFFIXES and not any(part.startswith(".") for part in p.parts[1:])
            )
        elif path.is_file():
            found.append(path)
        else:
            raise SourceError(f"{argument}: no such file or directory")
    return found


def format_file(path: Path) -> str:
    """The canonical text of `path`."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise SourceError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    if path.suffix in (".yaml", ".yml"):
        return format_yaml(text, path)
    return format_sql(text, path)  # .sql, and files that are only included (`\ir tables.psql`)


def reformat(paths: list[str], *, check: bool) -> list[Path]:
    """The files whose layout is not canonical; rewritten in place unless `check`."""
    changed = []
    for path in files_to_format(paths):
        formatted = format_file(path)
        if formatted != path.read_text(encoding="utf-8"):
            changed.append(path)
            if not check:
                path.write_text(formatted, encoding="utf-8")
    return changed


# -- SQL ------------------------------------------------------------------------------------------


def format_sql(text: str, path: Path) -> str:
    blocks: list[str] = []
    segment: list[str] = []
    first_line = 1
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        if _META.match(line):
            blocks += _format_segment("".join(segment), path, first_line)
            blocks.append(line.strip())
            segment, first_line = [], number + 1
        else:
            segment.append(line)
    blocks += _format_segment("".join(segment), path, first_line)
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _format_segment(text: str, path: Path, first_line: int) -> list[str]:
    if not text.strip():
        return []
    try:
        slices = pglast.parser.split(text, with_parser=True, only_slices=True)
    except ParseError as error:
        offset = error.args[1] if len(error.args) > 1 else 0
        raise SourceError(f"{path}:{first_line - 1 + line_of(text, offset)}: {error.args[0]}") from None
    blocks = []
    end = 0
    for piece in slices:
        comments = _comment_block(text[end : piece.start])
        statement = _format_statement(text[piece])
        blocks.append(f"{comments}\n{statement};" if comments else f"{statement};")
        end = piece.stop
        if text[end : end + 1] == ";":
            end += 1
    trailing = _comment_block(text[end:].lstrip(";"))
    if trailing:
        blocks.append(trailing)
    return blocks


def _comment_block(text: str) -> str:
    """Comments between statements, trailing spaces and runs of blank lines removed."""
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip("\n")


def _format_statement(statement: str) -> str:
    statement = statement.strip().rstrip(";").rstrip()
    if any(token.name in ("SQL_COMMENT", "C_COMMENT") for token in scan(statement)):
        return "\n".join(line.rstrip() for line in statement.splitlines())  # a comment inside: as written
    try:
        return pglast.prettify(statement, safety_belt=True)
    except Exception:  # pglast cannot print every statement; those stay as written
        return statement


# -- YAML -----------------------------------------------------------------------------------------


def _yaml() -> YAML:
    yaml = YAML()  # round-trip: comments, flow style and quoting survive
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 120
    yaml.preserve_quotes = True
    yaml.brace_single_entry_mapping_in_flow_sequence = True  # keys: [{column: a}], not [column: a]
    return yaml


def format_yaml(text: str, path: Path) -> str:
    yaml = _yaml()
    try:
        document = yaml.load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark
        position = f"{mark.line + 1}:{mark.column + 1}" if mark else "1:1"
        raise SourceError(f"{path}:{position}: {error.problem or error}") from None
    if document is None:
        return text
    _order(document, json_schema())
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


def _resolve(schema: dict[str, Any], value: Any) -> dict[str, Any]:
    if "$ref" in schema:
        schema = json_schema()["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
    for branch in schema.get("anyOf", ()):
        resolved = _resolve(branch, value)
        if resolved.get("type") == "object" and isinstance(value, dict):
            return resolved
    return schema


def _order(value: Any, schema: dict[str, Any]) -> None:
    """Keys in the order of the schema's properties (unknown keys last, as written), recursively."""
    schema = _resolve(schema, value)
    if isinstance(value, CommentedMap):
        properties: dict[str, Any] = schema.get("properties", {})
        rank = {key: index for index, key in enumerate(properties)}
        for key in sorted(value, key=lambda k: rank.get(str(k), len(rank))):
            value.move_to_end(key)
        extra = schema.get("additionalProperties")
        for key, child in value.items():
            child_schema = properties.get(str(key), extra if isinstance(extra, dict) else {})
            _order(child, child_schema)
    elif isinstance(value, CommentedSeq):
        for child in value:
            _order(child, schema.get("items", {}))
