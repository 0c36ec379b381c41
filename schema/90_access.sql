-- Who may do what, and what the main tables are for. Seed 003's application roles (admin, user, viewer)
-- live in users.role; the database roles below are the application's connection (mindhill_app) and the
-- reporting connection (mindhill_readonly). They must exist on the server: pgdiff does not create roles.
-- Tables listed, not ON ALL TABLES IN SCHEMA public: that would also grant on pg_stat_statements, which the
-- extension owns (pgdiff does not manage what extensions own, their privileges included).
GRANT SELECT, INSERT, UPDATE, DELETE
    ON users, workflows, workflow_executions, execution_stages, fetching_history, processing_history,
       fetched_contents, flux_reports, report_executions, audit_logs, system_settings, application_sessions
    TO mindhill_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO mindhill_app;
GRANT SELECT ON workflow_execution_summary, daily_execution_metrics, performance_metrics TO mindhill_readonly;
GRANT SELECT (id, uuid, name, status, category, created_at) ON workflows TO mindhill_readonly;
REVOKE EXECUTE ON FUNCTION cleanup_old_data() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION get_workflow_statistics(integer, date, date) TO mindhill_app, mindhill_readonly;

COMMENT ON TABLE users IS 'Accounts that sign in; role is the application role (admin, user, viewer)';
COMMENT ON COLUMN users.password_hash IS 'bcrypt hash; never selected by the reporting role';
COMMENT ON TABLE workflows IS 'Workflow definitions; configuration holds the steps as JSON';
COMMENT ON TABLE workflow_executions IS 'One row per run of a workflow';
COMMENT ON TABLE audit_logs IS 'Security and compliance events, kept retention_period_days days';
COMMENT ON VIEW workflow_execution_summary IS 'Per-workflow run counts and durations for the dashboard';
COMMENT ON FUNCTION cleanup_old_data() IS 'Archives old executions and contents; run daily by a scheduler';
