from pgdiff.cli import app

app(prog_name="pgdiff")
