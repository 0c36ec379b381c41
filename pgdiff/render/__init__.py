"""Output formats. Plans: text (rich, for terminals), sql (for psql), json (the plan file document, for
machines), markdown (for a pull-request comment); drift reports: `drift.py` (text, json, markdown)."""

from pgdiff.render.json import render_json
from pgdiff.render.markdown import render_markdown
from pgdiff.render.sql import render_sql
from pgdiff.render.text import render_text

FORMATS = ("text", "sql", "json", "markdown")

__all__ = ["FORMATS", "render_json", "render_markdown", "render_sql", "render_text"]
