-- The archive copies the partitioned table's columns, defaults, checks and indexes with their generated
-- names: SQL's LIKE ... INCLUDING ALL says that best, so it stays SQL beside the YAML.
CREATE TABLE extraction.workflows_archive (
  LIKE extraction.workflows INCLUDING ALL
);
