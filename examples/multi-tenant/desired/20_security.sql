-- Row-level security: a session sees and writes only its tenant's rows.
ALTER TABLE workflows ENABLE ROW LEVEL SECURITY;
ALTER TABLE workflow_executions ENABLE ROW LEVEL SECURITY;
ALTER TABLE knowledge_bases ENABLE ROW LEVEL SECURITY;
ALTER TABLE webchat_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_memberships ENABLE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON workflows
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY tenant_isolation ON workflow_executions
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY tenant_isolation ON knowledge_bases
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY tenant_isolation ON webchat_sessions
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY members_of_tenant ON tenant_memberships FOR SELECT USING (tenant_id = current_tenant());
COMMENT ON POLICY tenant_isolation ON workflows IS 'Rows of the session''s tenant only';

-- The application reads and writes; reporting reads.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO hot_app;
GRANT SELECT ON tenants, workflows, workflow_executions, knowledge_bases TO hot_readonly;
REVOKE EXECUTE ON FUNCTION current_tenant() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION current_tenant() TO hot_app, hot_readonly;
