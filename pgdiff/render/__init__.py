"""Output formats. Plans: text (rich, for terminals), sql (for psql), json (for machines); drift reports:
`drift.py` (text, json, markdown)."""

from pgdiff.render.json import render_json
from pgdiff.render.sql import render_sql
from pgdiff.render.text import render_text

FORMATS = ("text", "sql", "json")

__all__ = ["FORMATS", "render_json", "render_sql", "render_text"]
