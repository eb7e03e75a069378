import Shared

/// Faults Codegen can inject on purpose (tabled in docs/build-loop-agents.md, "Fault injection"),
/// each of a class the QA Evaluator must catch and the Auto-Fixer must repair by re-deriving the
/// damaged file.
enum InjectedFault: String, Codable, Sendable, CaseIterable {
    /// The first entity's table migration loses its last plain column: inserts fail.
    case missingColumn = "missing_column"
    /// The first entity's resource module is mounted under a wrong URL: its routes 404.
    case wrongRoute = "wrong_route"

    /// The path of the file the fault damages.
    func target(in plan: ScaffoldPlan) throws -> String {
        guard let entity = plan.spec.entities.first else { throw WireError.invalidArgument(field: "input.plan.spec.entities", "is empty") }
        switch self {
        case .missingColumn:
            guard let migration = plan.migrations.first(where: { $0.name == "create_\(entity.plural)" }) else {
                throw WireError.invalidArgument(field: "input.plan.migrations", "has no migration for \(entity.plural)")
            }
            return "migrations/" + String(format: "%04d_%@", migration.version, migration.name) + ".up.sql"
        case .wrongRoute:
            return "app/resources/\(entity.plural).py"
        }
    }

    /// The files with the fault applied.
    func inject(into files: [String: String], plan: ScaffoldPlan) throws -> [String: String] {
        let path = try target(in: plan)
        guard let original = files[path], let entity = plan.spec.entities.first else {
            throw WireError.invalidArgument(field: "input.fault", "cannot inject \(rawValue): \(path) is not generated")
        }
        var damaged = original
        switch self {
        case .missingColumn:
            guard let field = entity.fields.last(where: { $0.type != .reference && $0.name != entity.ownerField }) else {
                throw WireError.invalidArgument(field: "input.fault", "\(entity.name) has no plain column to drop")
            }
            let lines = original.split(separator: "\n", omittingEmptySubsequences: false)
            damaged = lines.filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("\(field.name) ") }.joined(separator: "\n")
        case .wrongRoute:
            damaged = original + "\n# Mounted under a legacy prefix.\nblueprint.url_prefix = \"/\(entity.plural)-legacy\"\n"
        }
        guard damaged != original else {
            throw WireError.invalidArgument(field: "input.fault", "\(rawValue) found nothing to damage in \(path)")
        }
        var files = files
        files[path] = damaged
        return files
    }
}
