-- updated_at maintenance (seed 003's trigger function, on every table with updated_at) and the
-- search vector of workflows (seed 000's full-text search trigger).
CREATE OR REPLACE FUNCTION update_updated_at_column()
RETURNS TRIGGER AS $$
BEGIN
    NEW.updated_at = CURRENT_TIMESTAMP;
    RETURN NEW;
END;
$$ language 'plpgsql';

CREATE TRIGGER update_workflows_updated_at BEFORE UPDATE ON workflows
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

ALTER TABLE workflows ADD COLUMN search_vector tsvector;

CREATE INDEX idx_workflows_search ON workflows USING GIN (search_vector);

CREATE OR REPLACE FUNCTION update_workflow_search_vector()
RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', COALESCE(NEW.name, '')), 'A') ||
        setweight(to_tsvector('english', COALESCE(NEW.definition->>'description', '')), 'B');
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER trigger_update_workflow_search_vector
    BEFORE INSERT OR UPDATE OF name, definition ON workflows
    FOR EACH ROW EXECUTE FUNCTION update_workflow_search_vector();
