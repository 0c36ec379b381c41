-- Trigram search on workflow names.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
