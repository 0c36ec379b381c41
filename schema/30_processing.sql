-- Fetching, processing and fetched contents (seed 003, tables 5-7).
-- Adapted from examples/seeds/003-mindhill.sql; every change to the seed is listed in examples/seeds/README.md.

-- Fetching history table for data collection tracking
CREATE TABLE fetching_history (
    id SERIAL PRIMARY KEY,
    uuid UUID DEFAULT gen_random_uuid() UNIQUE NOT NULL,
    
    -- Identifiers
    fetching_id INTEGER UNIQUE NOT NULL, -- Business ID
    flux_id INTEGER NOT NULL,
    execution_id INTEGER REFERENCES workflow_executions(id) ON DELETE SET NULL,
    stage_id INTEGER REFERENCES execution_stages(id) ON DELETE SET NULL,
    
    -- Status and timing
    status VARCHAR(20) DEFAULT 'Created' CHECK (status IN ('Created', 'InProgress', 'Success', 'Failed', 'Cancelled')),
    timestamp TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    started_at TIMESTAMP,
    completed_at TIMESTAMP,
    fetching_time_seconds INTEGER,
    
    -- Data source information
    data_source_url TEXT,
    data_source_type VARCHAR(50), -- api, file, database, webhook
    data_source_config JSONB,
    
    -- Results
    number_of_content INTEGER DEFAULT 0,
    total_size_bytes BIGINT DEFAULT 0,
    content_types JSONB, -- {"pdf": 10, "docx": 5, "xlsx": 2}
    
    -- Performance metrics
    throughput_mbps DECIMAL(10,2),
    requests_per_second DECIMAL(10,2),
    average_response_time_ms INTEGER,
    
    -- Error handling
    error_message TEXT,
    error_count INTEGER DEFAULT 0,
    retry_attempts INTEGER DEFAULT 0,
    
    -- Metadata
    fetching_config JSONB,
    headers_sent JSONB,
    headers_received JSONB,
    
    -- Timestamps
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

-- Indexes for fetching_history table
CREATE INDEX idx_fetching_flux_timestamp ON fetching_history(flux_id, timestamp DESC);

CREATE INDEX idx_fetching_status_completed ON fetching_history(status, completed_at DESC) 
    WHERE completed_at IS NOT NULL;

CREATE INDEX idx_fetching_execution ON fetching_history(execution_id) WHERE execution_id IS NOT NULL;

CREATE INDEX idx_fetching_data_source ON fetching_history(data_source_type, data_source_url);

CREATE INDEX idx_fetching_size ON fetching_history(total_size_bytes DESC) WHERE total_size_bytes > 0;

CREATE INDEX idx_fetching_performance ON fetching_history(throughput_mbps DESC) WHERE throughput_mbps IS NOT NULL;

-- Unique constraint for business logic
CREATE UNIQUE INDEX idx_fetching_id_unique ON fetching_history(fetching_id);

-- Trigger for updated_at
CREATE TRIGGER update_fetching_history_updated_at BEFORE UPDATE ON fetching_history
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

-- Processing history table for data processing tracking
CREATE TABLE processing_history (
    id SERIAL PRIMARY KEY,
    uuid UUID DEFAULT gen_random_uuid() UNIQUE NOT NULL,
    
    -- Identifiers
    processing_id INTEGER UNIQUE NOT NULL, -- Business ID
    fetching_id INTEGER NOT NULL REFERENCES fetching_history(fetching_id) ON DELETE CASCADE,
    flux_id INTEGER NOT NULL,
    execution_id INTEGER REFERENCES workflow_executions(id) ON DELETE SET NULL,
    stage_id INTEGER REFERENCES execution_stages(id) ON DELETE SET NULL,
    
    -- Status and timing
    status VARCHAR(20) DEFAULT 'Created' CHECK (status IN ('Created', 'InProgress', 'Success', 'Failed', 'Cancelled')),
    timestamp TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    started_at TIMESTAMP,
    completed_at TIMESTAMP,
    processing_time_seconds INTEGER,
    
    -- Processing details
    processing_type VARCHAR(50), -- normalization, refinement, calculation, analysis
    processing_algorithm VARCHAR(100),
    processing_config JSONB,
    
    -- Results
    number_of_processing_content INTEGER DEFAULT 0,
    content_processed INTEGER DEFAULT 0,
    content_successful INTEGER DEFAULT 0,
    content_failed INTEGER DEFAULT 0,
    
    -- Performance metrics
    items_per_second DECIMAL(10,2),
    memory_usage_peak_mb INTEGER,
    cpu_utilization_percentage DECIMAL(5,2),
    
    -- Quality metrics
    accuracy_score DECIMAL(5,2),
    confidence_score DECIMAL(5,2),
    quality_metrics JSONB,
    
    -- Error handling
    error_message TEXT,
    error_details JSONB,
    failed_items JSONB,
    
    -- Metadata
    processing_metadata JSONB,
    input_hash VARCHAR(64), -- SHA256 hash of input data
    output_hash VARCHAR(64), -- SHA256 hash of output data
    
    -- Timestamps
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

-- Indexes for processing_history table
CREATE INDEX idx_processing_fetching_timestamp ON processing_history(fetching_id, timestamp DESC);

CREATE INDEX idx_processing_flux_type ON processing_history(flux_id, processing_type);

CREATE INDEX idx_processing_status_timing ON processing_history(status, completed_at DESC);

CREATE INDEX idx_processing_execution ON processing_history(execution_id) WHERE execution_id IS NOT NULL;

CREATE INDEX idx_processing_performance ON processing_history(items_per_second DESC) WHERE items_per_second IS NOT NULL;

CREATE INDEX idx_processing_quality ON processing_history(accuracy_score DESC, confidence_score DESC);

CREATE INDEX idx_processing_algorithm ON processing_history(processing_algorithm, processing_type);

-- Unique constraint for business logic
CREATE UNIQUE INDEX idx_processing_id_unique ON processing_history(processing_id);

-- Trigger for updated_at
CREATE TRIGGER update_processing_history_updated_at BEFORE UPDATE ON processing_history
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

-- Fetched contents table for individual content items
CREATE TABLE fetched_contents (
    id SERIAL PRIMARY KEY,
    uuid UUID DEFAULT gen_random_uuid() UNIQUE NOT NULL,
    
    -- Identifiers
    content_id INTEGER UNIQUE NOT NULL, -- Business ID
    fetching_id INTEGER NOT NULL REFERENCES fetching_history(fetching_id) ON DELETE CASCADE,
    flux_id INTEGER NOT NULL,
    
    -- Content information
    content_name VARCHAR(500),
    content_type VARCHAR(100), -- application/pdf, text/plain, image/jpeg, etc.
    file_extension VARCHAR(10),
    file_size_bytes BIGINT,
    
    -- Content metadata
    mime_type VARCHAR(100),
    encoding VARCHAR(50),
    language VARCHAR(10),
    
    -- Processing status
    status VARCHAR(20) DEFAULT 'fetched' CHECK (status IN ('fetched', 'processing', 'processed', 'failed', 'archived')),
    processing_priority INTEGER DEFAULT 0,
    
    -- Content storage
    storage_path TEXT,
    storage_type VARCHAR(50) DEFAULT 'local', -- local, s3, gcs, azure
    storage_metadata JSONB,
    
    -- Content analysis
    content_hash VARCHAR(64), -- SHA256 hash
    content_preview TEXT, -- First 1000 characters
    word_count INTEGER,
    page_count INTEGER,
    
    -- Classification
    content_category VARCHAR(100),
    content_tags TEXT[],
    classification_confidence DECIMAL(5,2),
    
    -- Security
    is_encrypted BOOLEAN DEFAULT false,
    encryption_key_id VARCHAR(100),
    virus_scan_status VARCHAR(20), -- clean, infected, unknown
    virus_scan_at TIMESTAMP,
    
    -- Access control
    access_level VARCHAR(20) DEFAULT 'internal', -- public, internal, restricted, confidential
    owner_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    
    -- Timestamps
    fetched_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    processed_at TIMESTAMP,
    last_accessed_at TIMESTAMP,
    expires_at TIMESTAMP,
    archived_at TIMESTAMP,
    
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

-- Indexes for fetched_contents table
CREATE INDEX idx_content_fetching_type ON fetched_contents(fetching_id, content_type);

CREATE INDEX idx_content_status_priority ON fetched_contents(status, processing_priority DESC);

CREATE INDEX idx_content_flux_status ON fetched_contents(flux_id, status);

CREATE INDEX idx_content_hash ON fetched_contents(content_hash) WHERE content_hash IS NOT NULL;

CREATE INDEX idx_content_size ON fetched_contents(file_size_bytes DESC) WHERE file_size_bytes IS NOT NULL;

CREATE INDEX idx_content_category ON fetched_contents(content_category) WHERE content_category IS NOT NULL;

CREATE INDEX idx_content_tags ON fetched_contents USING gin(content_tags);

CREATE INDEX idx_content_classification ON fetched_contents(classification_confidence DESC);

CREATE INDEX idx_content_security ON fetched_contents(virus_scan_status, access_level);

CREATE INDEX idx_content_expiry ON fetched_contents(expires_at) WHERE expires_at IS NOT NULL;

CREATE INDEX idx_content_name_search ON fetched_contents USING gin(content_name gin_trgm_ops);

-- Unique constraint for business logic
CREATE UNIQUE INDEX idx_content_id_unique ON fetched_contents(content_id);

-- Trigger for updated_at
CREATE TRIGGER update_fetched_contents_updated_at BEFORE UPDATE ON fetched_contents
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
