import Foundation
import Shared

/// The values the Flask templates are rendered with (Templates/flask/RENDER_MODEL.md), derived
/// from the plan alone, so the same plan always renders the same files.
enum ScaffoldRenderModel {
    /// The root context.
    static func root(for plan: ScaffoldPlan) throws -> [String: Any] {
        let spec = plan.spec
        let example = readableExample(in: spec)
        let relationRoutes = RelationRoutes(spec)
        return [
            "app_name": spec.title,
            "example_role": example.role,
            "example_plural": example.plural,
            "app_slug": slug(spec.title),
            "entities": try spec.entities.enumerated().map { index, entity in
                try self.entity(entity, in: plan, first: index == 0, last: index == spec.entities.count - 1)
            },
            "roles": spec.roles.enumerated().map { index, role in
                [
                    "name": role.name,
                    "grants": role.permissions.map { permission in
                        [
                            "entity": permission.entity,
                            "plural": spec.entity(named: permission.entity)?.plural ?? permission.entity,
                            "actions": permission.actions.map(\.rawValue).joined(separator: ", "),
                            "scope": permission.scope.rawValue,
                            "rows": rows(of: permission),
                        ] as [String: Any]
                    },
                    "first": index == 0,
                    "last": index == spec.roles.count - 1,
                ] as [String: Any]
            },
            "nested_routes": try relationRoutes.nested.map { route in
                [
                    "parent_plural": route.parent.plural, "parent_name": route.parent.name,
                    "child_plural": route.child.plural, "child_class": className(route.child),
                    "filters": filters(of: route.child).filter { $0["param"] != "\(route.field.name)_id" },
                    "sort_json": String(decoding: try JSONCoding.encode(sortValues(of: route.child)), as: UTF8.self),
                ] as [String: Any]
            },
            "link_routes": try relationRoutes.links.map { route in
                [
                    "left_plural": route.left.plural, "left_name": route.left.name,
                    "right_plural": route.right.plural, "right_name": route.right.name, "right_class": className(route.right),
                    "filters": filters(of: route.right),
                    "sort_json": String(decoding: try JSONCoding.encode(sortValues(of: route.right)), as: UTF8.self),
                ] as [String: Any]
            },
            "env": plan.environment.map { ["name": $0.name, "description": $0.description, "example": $0.example, "secret": $0.secret] as [String: Any] },
            "ci_steps": plan.ciSteps,
        ]
    }

    /// The README's sign-in example: the first role (in spec order) that may read an entity, and
    /// the first entity it may read; the first role and entity when no role reads anything.
    static func readableExample(in spec: FormalSpec) -> (role: String, plural: String) {
        for role in spec.roles {
            if let entity = spec.entities.first(where: { entity in role.permissions.contains { $0.entity == entity.name && $0.actions.contains(.read) } }) {
                return (role.name, entity.plural)
            }
        }
        return (spec.roles.first?.name ?? "", spec.entities.first?.plural ?? "")
    }

    /// The context of one entity.
    static func entity(_ entity: EntitySpec, in plan: ScaffoldPlan, first: Bool, last: Bool) throws -> [String: Any] {
        [
            "name": entity.name,
            "plural": entity.plural,
            "class_name": className(entity),
            "title": entity.name.replacingOccurrences(of: "_", with: " ").prefix(1).uppercased() + entity.name.replacingOccurrences(of: "_", with: " ").dropFirst(),
            "has_owner": entity.ownerField != nil,
            "owner_field": entity.ownerField ?? "",
            "owner_implicit": entity.hasImplicitOwnerColumn,
            "owner_is_path": entity.ownerPath?.goesThroughParent ?? false,
            "required_json": String(decoding: try JSONCoding.encode(entity.fields.filter { $0.required && $0.name != entity.ownerField }.map { $0.type == .reference ? "\($0.name)_id" : $0.name }), as: UTF8.self),
            "fields": entity.fields.map { field in
                var flags: [String: Any] = [:]
                for type in FieldType.allCases { flags["is_\(type.rawValue)"] = field.type == type }
                return flags.merging([
                    "name": field.name,
                    "type": field.type.rawValue,
                    "column": field.type == .reference ? "\(field.name)_id" : field.name,
                    "required": field.required,
                    "unique": field.unique,
                    "pii": field.pii,
                    "is_reference": field.type == .reference,
                    "references": field.references ?? "",
                    "is_enum": field.type == .enum,
                    "values_csv": (field.values ?? []).map { "'\($0.replacingOccurrences(of: "'", with: "''"))'" }.joined(separator: ", "),
                    "is_owner": field.name == entity.ownerField,
                    "is_owner_parent": field.name == entity.ownerParentField?.name,
                ] as [String: Any]) { $1 }
            },
            "filters": filters(of: entity),
            "sort_json": String(decoding: try JSONCoding.encode(sortValues(of: entity)), as: UTF8.self),
            "sample_json": String(decoding: try JSONCoding.encode(samplePayload(entity)), as: UTF8.self),
            "first": first,
            "last": last,
        ]
    }

    /// A permission's row scope as the README's table shows it: `all`, `own`, or `own through
    /// <path>` when the permission's owner path, not the entity's owner field, decides.
    static func rows(of permission: RoleSpec.Permission) -> String {
        guard permission.scope == .own, let path = permission.ownerPath else { return permission.scope.rawValue }
        return "own through `\(path)`"
    }

    /// The entity's name in UpperCamelCase (`stock_item` → `StockItem`).
    static func className(_ entity: EntitySpec) -> String {
        entity.name.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// Field types whose lists take `[gte]`/`[lte]` range filters (`app/listing.py`'s
    /// RANGE_TYPES).
    static let rangeTypes: Set<FieldType> = [.int, .decimal, .money, .date, .datetime]

    /// The query parameters that filter an entity's lists: every non-PII field by its column,
    /// and the two bounds of those that have ranges; each with its OpenAPI schema (flow style).
    static func filters(of entity: EntitySpec) -> [[String: String]] {
        entity.fields.filter { !$0.pii }.flatMap { field -> [[String: String]] in
            let column = field.type == .reference ? "\(field.name)_id" : field.name
            let schema = querySchema(of: field)
            var parameters = [["param": column, "schema": schema, "description": "Only rows whose \(column) equals this"]]
            if rangeTypes.contains(field.type) {
                parameters.append(["param": "\(column)[gte]", "schema": schema, "description": "Only rows whose \(column) is at least this"])
                parameters.append(["param": "\(column)[lte]", "schema": schema, "description": "Only rows whose \(column) is at most this"])
            }
            return parameters
        }
    }

    /// The values of `sort`: `created_at`, `updated_at` and the non-PII fields other than long
    /// text and references, each ascending and descending (`-`).
    static func sortValues(of entity: EntitySpec) -> [String] {
        let columns = ["created_at", "updated_at"] + entity.fields.filter { !$0.pii && $0.type != .text && $0.type != .reference }.map(\.name)
        return columns.flatMap { [$0, "-\($0)"] }
    }

    private static func querySchema(of field: FieldSpec) -> String {
        switch field.type {
        case .int: "{type: integer}"
        case .decimal, .money: "{type: string, pattern: '^-?[0-9]+(\\.[0-9]+)?$'}"
        case .bool: "{type: boolean}"
        case .date: "{type: string, format: date}"
        case .datetime: "{type: string, format: date-time}"
        case .email: "{type: string, format: email}"
        case .reference: "{type: string, format: uuid}"
        case .enum: "{type: string, enum: [\((field.values ?? []).map { "'\($0.replacingOccurrences(of: "'", with: "''"))'" }.joined(separator: ", "))]}"
        case .string, .text, .phone: "{type: string}"
        }
    }

    /// A valid create payload: no references (tests create those first) and no owner (the API
    /// sets it to the caller).
    static func samplePayload(_ entity: EntitySpec) -> [String: JSONValue] {
        var payload: [String: JSONValue] = [:]
        for field in entity.fields where field.type != .reference && field.name != entity.ownerField {
            payload[field.name] = sampleValue(field, entity: entity)
        }
        return payload
    }

    private static func sampleValue(_ field: FieldSpec, entity: EntitySpec) -> JSONValue {
        switch field.type {
        case .string, .text: .string("Sample \(entity.name) \(field.name)")
        case .int: .number(7)
        case .decimal: .number(2.5)
        case .money: .number(1250.5)
        case .bool: .bool(true)
        case .date: .string("2026-03-01")
        case .datetime: .string("2026-03-01T09:30:00Z")
        case .email: .string("sample.\(entity.name)@example.com")
        case .phone: .string("+15550100200")
        case .enum: .string(field.values?.first ?? "")
        case .reference: .null
        }
    }

    /// A lowercase, dash-separated name for packages and images.
    static func slug(_ title: String) -> String {
        let words = title.lowercased().split { !$0.isLetter && !$0.isNumber }
        let slug = words.joined(separator: "-")
        return slug.isEmpty ? "app" : slug
    }
}
