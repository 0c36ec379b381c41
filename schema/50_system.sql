-- Audit logs, settings and sessions (seed 003, tables 10-12).
-- Adapted from examples/seeds/003-mindhill.sql; every change to the seed is listed in examples/seeds/README.md.

-- Audit logs table for security and compliance
CREATE TABLE audit_logs (
    id SERIAL PRIMARY KEY,
    uuid UUID DEFAULT gen_random_uuid() UNIQUE NOT NULL,
    
    -- Event identification
    event_type VARCHAR(100) NOT NULL, -- login, logout, create, update, delete, export, etc.
    event_category VARCHAR(50) NOT NULL, -- auth, workflow, data, admin, security
    event_action VARCHAR(100) NOT NULL, -- Specific action taken
    
    -- User and session information
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    user_email VARCHAR(255),
    session_id VARCHAR(255),
    user_agent TEXT,
    ip_address INET,
    
    -- Resource information
    resource_type VARCHAR(100), -- workflow, execution, content, user, etc.
    resource_id VARCHAR(100),
    resource_name VARCHAR(200),
    
    -- Event details
    event_details JSONB,
    old_values JSONB, -- For update operations
    new_values JSONB, -- For create/update operations
    
    -- Request information
    request_method VARCHAR(10),
    request_url TEXT,
    request_headers JSONB,
    request_body TEXT,
    response_status INTEGER,
    
    -- Security classification
    severity VARCHAR(20) DEFAULT 'info' CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    risk_level VARCHAR(20) DEFAULT 'low' CHECK (risk_level IN ('low', 'medium', 'high', 'critical')),
    
    -- Compliance
    compliance_tags TEXT[],
    retention_period_days INTEGER DEFAULT 2555, -- 7 years default
    
    -- Timestamps
    timestamp TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

-- Indexes for audit_logs table
CREATE INDEX idx_audit_user_timestamp ON audit_logs(user_id, timestamp DESC);

CREATE INDEX idx_audit_event_category ON audit_logs(event_category, event_type, timestamp DESC);

CREATE INDEX idx_audit_resource ON audit_logs(resource_type, resource_id);

CREATE INDEX idx_audit_severity ON audit_logs(severity, timestamp DESC) WHERE severity IN ('high', 'critical');

CREATE INDEX idx_audit_ip_address ON audit_logs(ip_address, timestamp DESC);

CREATE INDEX idx_audit_timestamp ON audit_logs(timestamp DESC);

CREATE INDEX idx_audit_compliance ON audit_logs USING gin(compliance_tags);

CREATE INDEX idx_audit_session ON audit_logs(session_id, timestamp DESC) WHERE session_id IS NOT NULL;

-- Partial index for security events
CREATE INDEX idx_audit_security_events ON audit_logs(timestamp DESC, event_details) 
    WHERE event_category = 'security' OR severity IN ('high', 'critical');

-- System settings table for application configuration
CREATE TABLE system_settings (
    id SERIAL PRIMARY KEY,
    
    -- Setting identification
    setting_key VARCHAR(100) UNIQUE NOT NULL,
    setting_category VARCHAR(50) NOT NULL,
    setting_name VARCHAR(200) NOT NULL,
    setting_description TEXT,
    
    -- Value information
    setting_value TEXT,
    setting_type VARCHAR(20) DEFAULT 'string' CHECK (setting_type IN ('string', 'integer', 'decimal', 'boolean', 'json', 'array')),
    default_value TEXT,
    
    -- Validation
    validation_rules JSONB, -- JSON schema or validation rules
    allowed_values TEXT[], -- For enum-type settings
    min_value DECIMAL,
    max_value DECIMAL,
    
    -- Access control
    is_public BOOLEAN DEFAULT false, -- Can be read by non-admin users
    is_readonly BOOLEAN DEFAULT false, -- Cannot be modified via UI
    requires_restart BOOLEAN DEFAULT false, -- Requires app restart to take effect
    
    -- Environment specific
    environment VARCHAR(20) DEFAULT 'all', -- all, development, staging, production
    
    -- Metadata
    last_modified_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    last_modified_reason TEXT,
    
    -- Timestamps
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

-- Indexes for system_settings table
CREATE INDEX idx_settings_category ON system_settings(setting_category, setting_key);

CREATE INDEX idx_settings_public ON system_settings(is_public, setting_category) WHERE is_public = true;

CREATE INDEX idx_settings_environment ON system_settings(environment, setting_category);

CREATE UNIQUE INDEX idx_settings_key_environment ON system_settings(setting_key, environment);

-- Trigger for updated_at
CREATE TRIGGER update_system_settings_updated_at BEFORE UPDATE ON system_settings
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

-- Application sessions table for session management
CREATE TABLE application_sessions (
    id SERIAL PRIMARY KEY,
    
    -- Session identification
    session_id VARCHAR(255) UNIQUE NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    
    -- Session data
    session_data JSONB,
    user_agent TEXT,
    ip_address INET,
    
    -- Device information
    device_type VARCHAR(50), -- desktop, mobile, tablet
    browser_name VARCHAR(50),
    browser_version VARCHAR(20),
    os_name VARCHAR(50),
    os_version VARCHAR(20),
    
    -- Session status
    is_active BOOLEAN DEFAULT true,
    is_remembered BOOLEAN DEFAULT false,
    
    -- Security
    csrf_token VARCHAR(255),
    last_activity_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    
    -- Timestamps
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    expires_at TIMESTAMP NOT NULL,
    invalidated_at TIMESTAMP
);

-- Indexes for application_sessions table
CREATE INDEX idx_sessions_user_active ON application_sessions(user_id, is_active, last_activity_at DESC);

CREATE INDEX idx_sessions_expiry ON application_sessions(expires_at) WHERE is_active = true;

CREATE INDEX idx_sessions_ip_address ON application_sessions(ip_address, created_at DESC);

CREATE INDEX idx_sessions_device ON application_sessions(device_type, browser_name);

-- The seed's predicate also had `OR expires_at < CURRENT_TIMESTAMP`: PostgreSQL refuses it (an index
-- predicate may only call IMMUTABLE functions), so the expiry part is left to the indexed column.
CREATE INDEX idx_sessions_cleanup ON application_sessions(is_active, expires_at) WHERE is_active = false;
