import Shared

/// Writes the SQL of a scaffold's migrations: one table per entity with tenant isolation
/// (forced row-level security), an audit trigger, PII columns stored encrypted (`bytea`), and a
/// rollback that removes exactly what the forward script created. References are composite
/// foreign keys on `(tenant_id, …_id)` against each table's `UNIQUE (tenant_id, id)`, so the
/// database itself refuses a row that points at another tenant's row.
struct SQLSchemaWriter {
    /// The RLS predicate every tenant table uses (see DESIGN.md, "Decisions and known pitfalls").
    static let tenantPredicate = "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid"

    /// The base migration: the audit table, append-only (a trigger refuses updates, deletes and
    /// truncation to every role, the owner included; `app.migrate` grants the app's role only
    /// SELECT and INSERT on it), and the trigger function every table uses.
    func baseMigration() -> PlannedMigration {
        PlannedMigration(
            version: 1,
            name: "create_audit_log",
            up: """
                CREATE TABLE audit_log (
                    id bigserial PRIMARY KEY,
                    tenant_id uuid NOT NULL,
                    table_name text NOT NULL,
                    row_id uuid NOT NULL,
                    action text NOT NULL CHECK (action IN ('INSERT', 'UPDATE', 'DELETE')),
                    actor text,
                    changed_columns text[] NOT NULL DEFAULT '{}',
                    changed_at timestamptz NOT NULL DEFAULT now()
                );
                ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
                ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
                CREATE POLICY audit_log_tenant_isolation ON audit_log
                    USING (\(Self.tenantPredicate)) WITH CHECK (\(Self.tenantPredicate));
                CREATE FUNCTION audit_row_change() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
                DECLARE
                    changed text[] := '{}';
                    target record;
                BEGIN
                    IF TG_OP = 'UPDATE' THEN
                        SELECT coalesce(array_agg(n.key ORDER BY n.key), '{}') INTO changed
                        FROM jsonb_each(to_jsonb(NEW)) n JOIN jsonb_each(to_jsonb(OLD)) o ON n.key = o.key
                        WHERE n.value IS DISTINCT FROM o.value;
                    END IF;
                    IF TG_OP = 'DELETE' THEN target := OLD; ELSE target := NEW; END IF;
                    INSERT INTO audit_log (tenant_id, table_name, row_id, action, actor, changed_columns)
                    VALUES (target.tenant_id, TG_TABLE_NAME, target.id, TG_OP,
                            NULLIF(current_setting('app.user_id', true), ''), changed);
                    RETURN NULL;
                END;
                $$;
                CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
                END;
                $$;
                CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
                    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
                CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
                    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
                """,
            down: """
                DROP TABLE IF EXISTS audit_log;
                DROP FUNCTION IF EXISTS audit_log_append_only();
                DROP FUNCTION IF EXISTS audit_row_change();
                """
        )
    }

    /// The table of the built-in issuer's accounts (the generated `app/users.py`).
    static let authUsersTable = "auth_users"

    /// The migration creating the built-in issuer's accounts: tenant-scoped and audited like every
    /// table, a username unique per tenant, a scrypt hash in place of the password.
    func authUsersMigration(version: Int) -> PlannedMigration {
        let table = Self.authUsersTable
        let statements = [
            """
            CREATE TABLE \(table) (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                tenant_id uuid NOT NULL,
                username varchar(255) NOT NULL CHECK (username <> ''),
                password_hash text NOT NULL,
                role varchar(255) NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now(),
                CONSTRAINT \(table)_tenant_row UNIQUE (tenant_id, id),
                CONSTRAINT \(table)_username_unique UNIQUE (tenant_id, username)
            );
            """,
        ] + rowSecurity(table: table) + [
            "CREATE TRIGGER \(table)_audit AFTER INSERT OR UPDATE OR DELETE ON \(table) FOR EACH ROW EXECUTE FUNCTION audit_row_change();",
        ]
        return PlannedMigration(version: version, name: "create_\(table)", up: statements.joined(separator: "\n"), down: "DROP TABLE IF EXISTS \(table);")
    }

    /// The migration creating one entity's table.
    func tableMigration(for entity: EntitySpec, in spec: FormalSpec, version: Int) -> PlannedMigration {
        var columns = [
            "id uuid PRIMARY KEY DEFAULT gen_random_uuid()",
            "tenant_id uuid NOT NULL",
        ]
        if entity.hasImplicitOwnerColumn, let owner = entity.ownerField {
            columns.append("\(owner) text NOT NULL")
        }
        for field in entity.fields {
            columns.append(column(for: field, in: spec))
            // Encrypted values are randomised: uniqueness is enforced on a keyed hash the app writes.
            if field.pii, field.unique, field.type != .reference { columns.append("\(field.name)_hash bytea\(field.required ? " NOT NULL" : "")") }
        }
        columns += ["created_at timestamptz NOT NULL DEFAULT now()", "updated_at timestamptz NOT NULL DEFAULT now()"]
        let table = entity.plural
        columns.append("CONSTRAINT \(table)_tenant_row UNIQUE (tenant_id, id)")
        for field in entity.fields where field.type == .reference && !isForward(field, of: entity, in: spec) {
            columns.append(foreignKey(field, in: spec))
        }
        var statements = ["CREATE TABLE \(table) (\n    " + columns.joined(separator: ",\n    ") + "\n);"]
        statements.append("CREATE INDEX \(table)_tenant_created ON \(table) (tenant_id, created_at DESC, id);")
        for field in entity.fields where field.unique {
            let column = field.type == .reference ? "\(field.name)_id" : field.pii ? "\(field.name)_hash" : field.name
            statements.append("CREATE UNIQUE INDEX \(table)_\(field.name)_unique ON \(table) (tenant_id, \(column));")
        }
        for field in entity.fields where field.type == .reference {
            statements.append("CREATE INDEX \(table)_\(field.name)_id ON \(table) (tenant_id, \(field.name)_id);")
        }
        statements += rowSecurity(table: table)
        statements.append("CREATE TRIGGER \(table)_audit AFTER INSERT OR UPDATE OR DELETE ON \(table) FOR EACH ROW EXECUTE FUNCTION audit_row_change();")
        // Earlier tables' references to this one (a cycle, broken by dependency order) get their
        // foreign keys now that it exists, and lose them before it is dropped.
        let waiting = spec.entities.flatMap { earlier in
            earlier.fields.filter { $0.type == .reference && $0.references == entity.name && isForward($0, of: earlier, in: spec) }.map { (earlier.plural, $0) }
        }
        statements += waiting.map { "ALTER TABLE \($0.0) ADD CONSTRAINT \($0.0)_\($0.1.name)_fk \(foreignKey($0.1, in: spec));" }
        let down = waiting.map { "ALTER TABLE IF EXISTS \($0.0) DROP CONSTRAINT IF EXISTS \($0.0)_\($0.1.name)_fk;" } + ["DROP TABLE IF EXISTS \(table);"]
        return PlannedMigration(version: version, name: "create_\(table)", up: statements.joined(separator: "\n"), down: down.joined(separator: "\n"))
    }

    /// Whether `field` of `entity` references a table created after `entity`'s.
    private func isForward(_ field: FieldSpec, of entity: EntitySpec, in spec: FormalSpec) -> Bool {
        guard let target = field.references, target != entity.name,
              let own = spec.entities.firstIndex(where: { $0.name == entity.name }),
              let other = spec.entities.firstIndex(where: { $0.name == target }) else { return false }
        return other > own
    }

    /// The foreign key of a reference field, on `(tenant_id, <name>_id)`.
    private func foreignKey(_ field: FieldSpec, in spec: FormalSpec) -> String {
        "FOREIGN KEY (tenant_id, \(field.name)_id) REFERENCES \(referencedTable(of: field, in: spec)) (tenant_id, id) ON DELETE RESTRICT"
    }

    /// The migration creating a many-to-many join table.
    func joinMigration(for relation: RelationSpec, in spec: FormalSpec, version: Int) -> PlannedMigration {
        let left = spec.entity(named: relation.from)?.plural ?? relation.from
        let right = spec.entity(named: relation.to)?.plural ?? relation.to
        let table = relation.via
        let (from, to) = (ReferenceColumn.joinColumn(for: relation.from), ReferenceColumn.joinColumn(for: relation.to))
        let statements = [
            """
            CREATE TABLE \(table) (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                tenant_id uuid NOT NULL,
                \(from) uuid NOT NULL,
                \(to) uuid NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (tenant_id, \(from), \(to)),
                FOREIGN KEY (tenant_id, \(from)) REFERENCES \(left) (tenant_id, id) ON DELETE CASCADE,
                FOREIGN KEY (tenant_id, \(to)) REFERENCES \(right) (tenant_id, id) ON DELETE CASCADE
            );
            """,
        ] + rowSecurity(table: table) + [
            "CREATE TRIGGER \(table)_audit AFTER INSERT OR UPDATE OR DELETE ON \(table) FOR EACH ROW EXECUTE FUNCTION audit_row_change();",
        ]
        return PlannedMigration(version: version, name: "create_\(table)", up: statements.joined(separator: "\n"), down: "DROP TABLE IF EXISTS \(table);")
    }

    private func rowSecurity(table: String) -> [String] {
        [
            "ALTER TABLE \(table) ENABLE ROW LEVEL SECURITY;",
            "ALTER TABLE \(table) FORCE ROW LEVEL SECURITY;",
            "CREATE POLICY \(table)_tenant_isolation ON \(table) USING (\(Self.tenantPredicate)) WITH CHECK (\(Self.tenantPredicate));",
        ]
    }

    /// The column definition of a field. PII is stored encrypted by the application.
    func column(for field: FieldSpec, in spec: FormalSpec) -> String {
        let null = field.required ? " NOT NULL" : ""
        if field.pii, field.type != .reference { return "\(field.name) bytea\(null)" }
        switch field.type {
        case .string: return "\(field.name) varchar(255)\(null)"
        case .text: return "\(field.name) text\(null)"
        case .int: return "\(field.name) integer\(null)"
        case .decimal: return "\(field.name) numeric(18,6)\(null)"
        case .money: return "\(field.name) numeric(14,2)\(null)"
        case .bool: return "\(field.name) boolean\(null)"
        case .date: return "\(field.name) date\(null)"
        case .datetime: return "\(field.name) timestamptz\(null)"
        case .email: return "\(field.name) varchar(320)\(null) CHECK (\(field.name) ~ '^[^@\\s]+@[^@\\s]+$')"
        case .phone: return "\(field.name) varchar(32)\(null)"
        case .enum:
            let values = (field.values ?? []).map { "'\($0.replacingOccurrences(of: "'", with: "''"))'" }.joined(separator: ", ")
            return "\(field.name) varchar(64)\(null) CHECK (\(field.name) IN (\(values)))"
        case .reference:
            // The foreign key is a table constraint on (tenant_id, <name>_id): see `tableMigration`.
            return "\(field.name)_id uuid\(null)"
        }
    }

    /// The table a reference field points at.
    private func referencedTable(of field: FieldSpec, in spec: FormalSpec) -> String {
        field.references.flatMap { spec.entity(named: $0)?.plural } ?? (field.references ?? field.name)
    }
}
