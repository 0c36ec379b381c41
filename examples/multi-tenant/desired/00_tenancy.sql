-- Seed 004's multi-tenant "hot storage" schema (the write-up lists its tables and columns in prose; this is
-- that list as desired state): every tenant-scoped row carries tenant_id, row-level security keeps a
-- session to its tenant (`SET app.tenant_id = '...'`), and the application roles get only what they use.
-- The roles hot_app and hot_readonly must exist on the server (pgdiff does not create roles).
CREATE TYPE app_role AS ENUM ('super_admin', 'admin', 'user');
CREATE TYPE membership_role AS ENUM ('owner', 'admin', 'member');

CREATE FUNCTION current_tenant() RETURNS uuid LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;
COMMENT ON FUNCTION current_tenant() IS 'The tenant of this session, from SET app.tenant_id; NULL when unset';

CREATE TABLE user_roles (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id uuid NOT NULL UNIQUE,
    role app_role NOT NULL DEFAULT 'user',
    granted_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tenants (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9-]+$'),
    name text NOT NULL,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'deleted')),
    branding_settings jsonb NOT NULL DEFAULT '{}',
    n8n_url text,
    confidence_threshold numeric(3, 2) NOT NULL DEFAULT 0.75 CHECK (confidence_threshold BETWEEN 0 AND 1),
    hot_ttl_days integer NOT NULL DEFAULT 30,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
COMMENT ON TABLE tenants IS 'Workspaces; every tenant-scoped table references one';
COMMENT ON COLUMN tenants.hot_ttl_days IS 'Days rows stay in hot storage before archival';

CREATE TABLE tenant_memberships (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id uuid NOT NULL,
    role membership_role NOT NULL DEFAULT 'member',
    invited_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, user_id)
);
