"""The phases of a plan: the order in which statements of each kind run.

A statement is emitted into a phase; the plan is the phases in declaration order,
each keeping the order its statements were emitted in. The phase order is what
makes a plan runnable: foreign keys are dropped before the keys they rely on and
added after them, generated columns are taken apart before the columns they read
change, tables exist before their columns are altered, schemas exist before
anything is created in them.
"""

from __future__ import annotations

from enum import IntEnum, auto


class Phase(IntEnum):
    # Declaration order is the plan order: insert new phases where they belong.
    # ALTER DEFAULT PRIVILEGES not limited to a schema: before schemas are created, so that new schemas (and
    # everything else) get the new default privileges.
    DEFAULT_PRIVILEGES_EVERYWHERE = auto()
    CREATE_SCHEMA = auto()
    CREATE_EXTENSION = auto()
    # IN SCHEMA, once the schema exists and before anything is created in it.
    DEFAULT_PRIVILEGES = auto()
    # Renames first: everything after speaks of objects by their new names.
    RENAME = auto()
    # A partition left pending detach by an interrupted DETACH ... CONCURRENTLY cannot be altered until the
    # detach is finished.
    FINALIZE_DETACH = auto()
    DROP_IDENTITY = auto()
    # Sequences and types (enums, composites, domains, ranges): before the tables that use them.
    CREATE_TYPE = auto()
    ALTER_TYPE = auto()
    # A sequence that stays loses its owner before the owning column or table is dropped.
    DISOWN_SEQUENCE = auto()
    DROP_FOREIGN_KEY = auto()
    DROP_CONSTRAINT = auto()
    DROP_INDEX = auto()
    # Before the columns they cover are dropped (which would take them along).
    DROP_STATISTICS = auto()
    # Triggers and views (dependents first) go before the tables, columns and functions they use.
    DROP_TRIGGER = auto()
    # Policies read columns and call functions: they go before those change.
    DROP_POLICY = auto()
    DROP_VIEW = auto()
    DROP_FUNCTION_OF_TABLES = auto()  # functions whose signature or body uses tables
    # A partition leaves its parent (CONCURRENTLY where it can) before it is dropped; NO INHERIT before the
    # parent's columns go, so the child keeps them.
    DETACH_PARTITION = auto()
    # What a table that left its parent keeps of the parent's (index and key copies, checks) and the files
    # do not give it: only there once it is detached.
    DROP_DETACHED_COPY = auto()
    DROP_TABLE = auto()
    # Partitions' copies of their parents' indexes and keys renamed to the names the files give them, once
    # what held those names is gone and before new objects take names (plan/copy_names.py).
    RENAME_COPY = auto()
    # A generated column holds a dependency on the columns it reads: it stops being generated, or is dropped,
    # before they are dropped or change type.
    DROP_EXPRESSION = auto()
    DROP_GENERATED_COLUMN = auto()
    DROP_COLUMN = auto()
    # What stands on a function or type that is dropped or made again goes before it: defaults, then
    # functions whose signature or body uses it (dependents first).
    DROP_DEFAULT = auto()
    DROP_DEPENDENT_FUNCTION = auto()
    # Functions: before the tables whose defaults, checks and indexes may call them.
    DROP_FUNCTION = auto()
    # Types PostgreSQL cannot change in place, once nothing but columns stands on them: made again (the
    # old one renamed aside while columns are converted to the new one).
    REPLACE_TYPE = auto()
    CREATE_FUNCTION = auto()
    CREATE_TABLE = auto()
    # A table whose rows must move (new partitioning) is made again, rows copied, in one transaction
    # (plan/recreate.py): once the types and functions its columns use exist, before its indexes are built.
    RECREATE_TABLE = auto()
    # A partition's own NOT NULL goes on before its parent's column gets one, which then takes it as the
    # inherited one, keeping its name.
    PARTITION_NOT_NULL = auto()
    # Before ADD_COLUMN, so that a new generated column reads its columns in their new type.
    ALTER_COLUMN = auto()
    # A sequence whose owning column stays, once the column's default no longer uses it.
    DROP_OWNED_SEQUENCE = auto()
    ADD_COLUMN = auto()
    SET_EXPRESSION = auto()
    # SET NOT NULL without a scan under ACCESS EXCLUSIVE: a NOT VALID check added in ALTER_COLUMN is
    # validated in its own transaction, then the column is marked.
    VALIDATE_NOT_NULL = auto()
    SET_NOT_NULL = auto()
    ALTER_TABLE = auto()
    # New partitions of existing tables, and existing tables joining a parent: once the parent's columns are
    # final, since ATTACH and INHERIT require the same columns.
    ATTACH_PARTITION = auto()
    # Columns' statistics targets, storage, compression and options: once every table has its final columns.
    COLUMN_SETTINGS = auto()
    # OWNED BY needs the owning column to exist.
    OWN_SEQUENCE = auto()
    # Functions whose signature or SQL-standard body uses tables; views (in dependency order) need them all.
    CREATE_LATE_FUNCTION = auto()
    CREATE_VIEW = auto()
    ADD_CONSTRAINT = auto()
    CREATE_INDEX = auto()
    CREATE_STATISTICS = auto()
    # A changed index was built under a temporary name: the old one goes, the new one takes its name.
    SWAP_INDEX = auto()
    ATTACH_KEY_INDEX = auto()
    ADD_FOREIGN_KEY = auto()
    # USING INDEX needs the index (or key) built above.
    REPLICA_IDENTITY = auto()
    # After their table (or view), its columns and their function.
    CREATE_TRIGGER = auto()
    # Policies exist before row-level security is switched on, so no query meets a table with RLS on and
    # no policy yet (which would see no rows).
    CREATE_POLICY = auto()
    ROW_SECURITY = auto()
    # Once every object exists, new ones and those the plan dropped and created again.
    COMMENT = auto()
    GRANT = auto()
    VALIDATE = auto()
    # After the tables, columns and defaults that use them are gone.
    DROP_SEQUENCE = auto()
    DROP_TYPE = auto()
    DROP_EXTENSION = auto()
    DROP_SCHEMA = auto()
