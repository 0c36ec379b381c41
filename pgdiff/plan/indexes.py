"""Indexes: built and dropped concurrently, changed by building a copy and swapping names."""

from __future__ import annotations

from dataclasses import replace

from pgdiff.diff import Change
from pgdiff.model import Index, Table
from pgdiff.plan import ddl
from pgdiff.plan import hazards as hz
from pgdiff.plan.base import PlannerBase, dotted
from pgdiff.plan.expressions import expression_columns
from pgdiff.plan.phases import Phase
from pgdiff.plan.types import Statement


class IndexPlanner(PlannerBase):
    """Plans index changes."""

    # -- indexes ----------------------------------------------------------------------

    def _index_statement(self, index: Index, sql: str, action: str, *, transactional: bool = True) -> Statement:
        return Statement(
            sql, "index", action, dotted(index.key), table=dotted(index.table_key), transactional=transactional
        )

    def _index_create(self, change: Change) -> None:
        self._create_index(change.desired)

    def _create_index(self, index: Index, *, action: str = "create") -> None:
        # A new partitioned table too: a plain CREATE INDEX would let PostgreSQL name the partitions' copies,
        # numbering clashes (`p1_id_idx`, `p1_id_idx1`) in creation order, which is not the desired database's.
        if self._partitioned(index.table_key):
            self._build_partitioned_index(index, index, action)
            return
        if index.table_key in self.new_tables or index.table_key in self._views_built:
            self.emit(Phase.CREATE_INDEX, self._index_statement(index, ddl.create_index(index), action))
            return
        self.emit(Phase.CREATE_INDEX, self._concurrent_build(index, action))

    def _partitioned(self, table: tuple[str, str]) -> bool:
        desired = self.desired.tables.get(table)
        current = self.current.tables.get(table)
        return bool((desired and desired.partitioned) or (current and current.partitioned))

    def _build_partitioned_index(
        self, root: Index, index: Index, action: str, phase: Phase = Phase.CREATE_INDEX
    ) -> None:
        """CREATE INDEX ... ON ONLY locks nothing for long and leaves an invalid index; each partition's index is
        built CONCURRENTLY (or, on a sub-partitioned partition, the same way down) and attached; the last attach
        makes it valid. The partitions' indexes take the names PostgreSQL gave them in the desired database. A
        partition's own index that the files make the copy is attached instead, renamed where it differs."""
        self.emit(phase, self._index_statement(index, ddl.create_index(index, only=True), action))
        for schema, table, name, parent_name in root.partition_indexes:
            if parent_name != index.name:
                continue
            child = replace(root, schema=schema, table=table, name=name, partition_indexes=())
            adopted = self._adopted_as.get((schema, table, name))
            if adopted is not None:
                self._rename_adopted(child, adopted, phase)
            elif self._made_by_new_key(schema, table, name):
                # The key made it (in CREATE TABLE, or built in this phase): attached once it is there.
                attach = ddl.attach_index(index.schema, index.name, schema, name)
                self.emit(Phase.ATTACH_KEY_INDEX, self._index_statement(index, attach, action))
                continue
            elif self._partitioned((schema, table)):
                self._build_partitioned_index(root, child, action, phase)
            elif (schema, table) in self.new_tables:
                self.emit(phase, self._index_statement(child, ddl.create_index(child), action))
            else:
                self.emit(phase, self._concurrent_build(child, action))
            attach = ddl.attach_index(index.schema, index.name, schema, name)
            self.emit(phase, self._index_statement(index, attach, action))

    def build_indexes_taken_as_copies(self) -> None:
        """An index the files keep on a partition, under its own name, that ATTACH takes as its parent's copy
        (the first matching one, see `members.index_adoptions`) is renamed to the copy's name: the one the
        files keep is built again, after."""
        for key, copy_name in sorted(self._adopted_indexes.items()):
            kept = self.desired.indexes.get(key)
            if kept is not None and copy_name != key[1]:
                self.emit(Phase.CREATE_INDEX, self._concurrent_build(kept, "create"))

    def _made_by_new_key(self, schema: str, table: str, name: str) -> bool:
        """Whether the index `name` is that of a partition's primary key, unique or exclusion constraint that the
        plan adds (in its CREATE TABLE, or built concurrently and added with USING INDEX), or that stays as it
        is: the files made the key first, and the parent's index adopted its index."""
        key = self.desired.constraints.get((schema, table, name))
        if key is None or key.kind not in ("p", "u", "x") or self._partitioned((schema, table)):
            return False
        current = self.current.constraints.get(key.key)
        return current is None or current == key or key in self.keys_taken_by_cascade

    def _rename_adopted(self, copy: Index, current_name: str, phase: Phase) -> None:
        """A partition's index kept as its parent's copy takes the copy's name (a catalog update)."""
        if current_name != copy.name:
            rename = ddl.rename_index(copy.schema, current_name, copy.name)
            self.emit(phase, self._index_statement(copy, rename, "alter"))

    def index_partition_before_attach(self, partition: Table) -> None:
        """Give a partition, before it is attached, its copies of the indexes its parent keeps, under their
        desired names. ATTACH adopts a matching index where the partition has one; otherwise it creates one,
        named by PostgreSQL and numbered, on a clash, in the order of the current parent's indexes, which need
        not be the desired database's, and builds it while the partition is locked. Indexes the plan builds on
        the parent get theirs when they are built. An existing table joining its parent keeps its matching
        indexes (renamed to the copies' names) and has the others built concurrently.

        ATTACH pairs each index of the parent, in OID order, with the first matching index of the partition, in
        OID order: the copies are created in the order of the current parent's indexes, so that two indexes
        alike each get their own. (Below the top, the parent's own copies are taken to be in that order too.)
        """
        subtree = {partition.key} | {t.key for t in self.desired.tables.values() if self._below(t, partition.key)}
        if not (subtree <= self.new_tables or partition.key not in self.new_tables):
            return
        kept: list[tuple[int, Index]] = []
        for root in self.desired.indexes.values():
            current = self.current.indexes.get(root.key)
            if current is not None and current == root and not self.stands_on_replaced("index", root.key):
                kept.append((current.oid_order, root))
        for _, root in sorted(kept, key=lambda pair: (pair[0], pair[1].key)):
            for schema, table, name, _ in root.partition_indexes:
                if (schema, table) != partition.key:
                    continue
                copy = replace(root, schema=schema, table=table, name=name, partition_indexes=())
                adopted = self._adopted_as.get((schema, table, name))
                if adopted is not None:
                    self._rename_adopted(copy, adopted, Phase.ATTACH_PARTITION)
                elif partition.key in self.new_tables and self._made_by_new_key(schema, table, name):
                    pass  # the key in its CREATE TABLE made it; ATTACH adopts it
                elif partition.key not in self.new_tables and not partition.partitioned:
                    self.emit(Phase.ATTACH_PARTITION, self._concurrent_build(copy, "create"))
                elif partition.partitioned:
                    self._build_partitioned_index(root, copy, "create", Phase.ATTACH_PARTITION)
                else:
                    self.emit(Phase.ATTACH_PARTITION, self._index_statement(copy, ddl.create_index(copy), "create"))

    def _below(self, table: Table, ancestor: tuple[str, str]) -> bool:
        while table.parent is not None:
            if table.parent == ancestor:
                return True
            parent = self.desired.tables.get(table.parent)
            if parent is None:
                return False
            table = parent
        return False

    def _concurrent_build(self, index: Index, action: str) -> Statement:
        table = dotted(index.table_key)
        hazards = (hz.index_build(index.name, table), hz.non_transactional(f"the build of index {index.name}"))
        if index.unique:
            hazards += (hz.validates_rows(table, f"that unique index {index.name} holds"),)
        sql = ddl.create_index(index, concurrently=True)
        statement = replace(self._index_statement(index, sql, action, transactional=False), hazards=hazards)
        return replace(statement, cleanup_sql=ddl.drop_index_if_exists(index.schema, index.name))

    def _index_drop(self, change: Change) -> None:
        if change.current.key in self._adopted_indexes:
            return  # kept, as the copy of its parent's index
        self._drop_index(change.current)

    def _drop_index(self, index: Index, *, phase: Phase = Phase.DROP_INDEX, action: str = "drop") -> None:
        if index.table_key in self.dropped_tables or index.table_key in self._views_dropped:
            return
        if index.table_key in self.new_tables:  # cannot happen for a current index; kept for clarity
            self.emit(phase, self._index_statement(index, ddl.drop_index(index), action))
            return
        hazards = (hz.index_dropped(dotted(index.key)),) if action == "drop" else ()
        if index.key in self._kept_after_detach and phase == Phase.DROP_INDEX:
            phase = Phase.DROP_DETACHED_COPY
        if self._partitioned(index.table_key):
            # PostgreSQL cannot drop a partitioned index concurrently; dropping it is a catalog update, but it
            # waits for every query on the table and its partitions.
            sql = ddl.drop_index(index)
            keys = self.keys_dropped_with_index.get(index.key, ())
            if keys:
                # A partition's key whose index is this index's copy can only go with it (PostgreSQL refuses to
                # drop either first); CASCADE takes exactly those keys, which the plan drops or makes again.
                sql += " CASCADE"
                names = ", ".join(dotted(key) for key in keys)
                hazards += (hz.breaking(f"the partitions' keys {names} go with index {index.name}"),)
            self.emit(phase, replace(self._index_statement(index, sql, action), hazards=hazards))
            return
        sql = ddl.drop_index(index, concurrently=True)
        self.emit(phase, replace(self._index_statement(index, sql, action, transactional=False), hazards=hazards))

    def _index_alter(self, change: Change) -> None:
        """Build the new definition under a temporary name, drop the old one, then rename: never without it."""
        old: Index = change.current
        new: Index = change.desired
        if change.attributes == ("copy_names",):
            return  # renamed by `rename_copies_to_desired_names`
        replaced = self.stands_on_replaced("index", old.key)
        # An index moved onto (or off) a partitioned table is built there as partitioned indexes are.
        partitioned = self._partitioned(old.table_key) or self._partitioned(new.table_key)
        # An INVALID index (a concurrent build that failed) serves no query: nothing is lost without it.
        invalid = not old.valid
        # A partitioned index under a temporary name would leave its partitions' indexes misnamed.
        if self._must_drop_first(old) or old.table_key in self._views_dropped or partitioned or replaced or invalid:
            self._drop_index(old, action="alter" if invalid else "drop")
            self._create_index(new, action="alter")
            return
        temporary = replace(new, name=ddl.truncate_identifier(f"{new.name}_pgdiff_new"))
        self.emit(Phase.CREATE_INDEX, self._concurrent_build(temporary, "alter"))
        self._drop_index(old, phase=Phase.SWAP_INDEX, action="alter")
        rename = ddl.rename_index(new.schema, temporary.name, new.name)
        self.emit(Phase.SWAP_INDEX, self._index_statement(new, rename, "alter"))

    def _must_drop_first(self, index: Index) -> bool:
        """An index on a column that is dropped, retyped or re-created cannot outlive it: no swap then."""
        table = index.table_key
        touched = (
            self._dropped_columns.get(table, set())
            | self._retyped_columns.get(table, set())
            | self._recreated_columns.get(table, set())
        )
        return bool(touched and expression_columns(index.body, touched))

