"""Validates YAML desired-state files against the shipped JSON Schema, with file:line:column errors.

PyYAML's composed node tree keeps where every key and value starts, so each error points at the exact
spot. The validator understands the subset of JSON Schema that pgdiff.schema.json uses: type, enum,
properties, required, additionalProperties, items, $ref, and anyOf of alternatives that differ by kind (a
name, or a mapping). An unknown key is reported with the closest valid one, as editors do.
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from pgdiff.errors import SourceError

SCHEMA_FILE = "pgdiff.schema.json"
STRING_TAG = "tag:yaml.org,2002:str"


@cache
def json_schema() -> dict[str, Any]:
    return json.loads(resources.files(__package__).joinpath(SCHEMA_FILE).read_text())


def where(path: Path, node: yaml.Node) -> str:
    return f"{path}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"


def validate(path: Path, node: yaml.Node) -> None:
    _check(path, node, json_schema(), "document")


def check_against(path: Path, node: yaml.Node, schema: dict[str, Any], what: str) -> None:
    """Validate against another schema written in the same subset (one without `$ref`s)."""
    _check(path, node, schema, what)


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        return json_schema()["$defs"][name]
    return schema


_YAML_TYPES = {
    "object": yaml.MappingNode,
    "array": yaml.SequenceNode,
}


def _scalar_type(node: yaml.ScalarNode) -> str:
    tag = node.tag.rsplit(":", 1)[-1]
    return {"bool": "boolean", "int": "integer", "float": "number", "null": "null"}.get(tag, "string")


def _check(path: Path, node: yaml.Node, schema: dict[str, Any], what: str) -> None:
    schema = _resolve(schema)
    if "anyOf" in schema:
        schema = _branch(path, node, schema["anyOf"], what)
    if "enum" in schema:
        value = node.value if isinstance(node, yaml.ScalarNode) else None
        if value not in schema["enum"]:
            choices = ", ".join(repr(v) for v in schema["enum"])
            raise SourceError(f"{where(path, node)}: {what} must be one of {choices}, not {_shown(node)}")
        return
    expected = schema.get("type")
    if expected is not None:
        _check_type(path, node, expected, what)
    if isinstance(node, yaml.MappingNode):
        _check_mapping(path, node, schema, what)
    elif isinstance(node, yaml.SequenceNode) and "items" in schema:
        for index, item in enumerate(node.value):
            _check(path, item, schema["items"], f"{what}[{index}]")


def _node_type(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "object"
    return "array" if isinstance(node, yaml.SequenceNode) else "scalar"


def _branch(path: Path, node: yaml.Node, branches: list[dict[str, Any]], what: str) -> dict[str, Any]:
    """The anyOf branch for this kind of node: pgdiff's alternatives differ by kind (a name or a mapping),
    so the error is the chosen branch's own, not a list of every branch's."""
    kinds = []
    for branch in branches:
        branch = _resolve(branch)
        kind = branch.get("type", "string")
        kind = "scalar" if kind not in ("object", "array") else kind
        if kind == _node_type(node):
            return branch
        kinds.append(kind)
    _check_type(path, node, ["string" if k == "scalar" else k for k in kinds], what)
    return branches[0]


def _check_type(path: Path, node: yaml.Node, expected: str | list[str], what: str) -> None:
    allowed = expected if isinstance(expected, list) else [expected]
    actual = (
        _scalar_type(node)
        if isinstance(node, yaml.ScalarNode)
        else ("object" if isinstance(node, yaml.MappingNode) else "array")
    )
    if actual in allowed or (actual == "integer" and "number" in allowed):
        if actual == "string" and isinstance(node, yaml.ScalarNode):
            node.tag = STRING_TAG  # a date, a timestamp: text for pgdiff
        return
    if "string" in allowed and actual in ("integer", "number", "boolean"):
        # YAML 1.1 reads 1.10, yes or on unquoted as a number or a boolean; as a string it is what was written
        assert isinstance(node, yaml.ScalarNode)
        node.tag = STRING_TAG
        return
    wanted = " or ".join(_TYPE_NAMES.get(t, f"a {t}") for t in allowed)
    raise SourceError(f"{where(path, node)}: {what} must be {wanted}, not {_shown(node)}")


_TYPE_NAMES = {"array": "a list", "object": "a mapping", "integer": "an integer", "null": "empty"}


def _shown(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        return "empty" if _scalar_type(node) == "null" else repr(node.value)
    return "a mapping" if isinstance(node, yaml.MappingNode) else "a list"


def _check_mapping(path: Path, node: yaml.MappingNode, schema: dict[str, Any], what: str) -> None:
    properties: dict[str, Any] = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    seen: set[str] = set()
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise SourceError(f"{where(path, key_node)}: {what}: a key must be a name, not {_shown(key_node)}")
        key_node.tag = STRING_TAG  # `on:` is a key, not YAML 1.1's true
        key = key_node.value
        if key in seen:
            raise SourceError(f"{where(path, key_node)}: {what}: key {key!r} appears twice")
        seen.add(key)
        if key in properties:
            _check(path, value_node, properties[key], f"{key}")
        elif extra is False:
            close = difflib.get_close_matches(key, properties, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; valid keys: {', '.join(properties)}"
            raise SourceError(f"{where(path, key_node)}: unknown key {key!r} in {what}{hint}")
        elif isinstance(extra, dict):
            _check(path, value_node, extra, key)
    for required in schema.get("required", []):
        if required not in seen:
            raise SourceError(f"{where(path, node)}: {what} needs {required!r}")
