"""pgdiff: declarative schema-as-code for PostgreSQL.

The Python API (`pgdiff/api.py`): `pgdiff.plan()`, `pgdiff.apply()` and `pgdiff.drift()`. These names
are functions here even though `pgdiff.plan` and `pgdiff.apply` are also modules: import the modules
with `from pgdiff.plan import ...`, never as attributes of the package.
"""

__version__ = "0.1.0"

# After __version__, which the modules import.
from pgdiff.api import apply, drift, plan
from pgdiff.errors import PgdiffError, SourceError

__all__ = ["PgdiffError", "SourceError", "__version__", "apply", "drift", "plan"]
