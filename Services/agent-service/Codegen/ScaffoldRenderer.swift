import Foundation
import Mustache
import Shared

/// Renders a plan into the files of the scaffold: the Flask templates (Templates/flask, Mustache;
/// `__plural__` in a path repeats the file per entity) plus the files written straight from the
/// plan: migrations (up and down), seed data (rows and the built-in issuer's accounts) and
/// `app/schema.json`.
struct ScaffoldRenderer: Sendable {
    /// One template file, loaded once.
    private struct TemplateFile: Sendable {
        let path: String
        let template: MustacheTemplate?
        let verbatim: String?
    }

    private let files: [TemplateFile]
    /// sha256 of every template file's path and text: what a run's fingerprint records, so a run
    /// never continues on other templates.
    let version: String

    /// Directories of tool caches that are never part of a scaffold.
    static let toolCaches: Set<String> = [".ruff_cache", ".pytest_cache", "__pycache__"]

    /// Loads every file under `Templates/flask` of the bundle (tool caches left out).
    init(bundle: Bundle = .module) throws {
        guard let root = bundle.resourceURL?.appendingPathComponent("Templates/flask") else {
            throw WireError(.internal, "scaffold templates are missing from the bundle")
        }
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        var files: [TemplateFile] = []
        var texts: [(String, String)] = []
        while let relative = enumerator?.nextObject() as? String {
            let url = root.appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                // What tools leave behind when run in the template tree (ruff, pytest, Python).
                if Self.toolCaches.contains(url.lastPathComponent) { enumerator?.skipDescendants() }
                continue
            }
            guard relative != "RENDER_MODEL.md" else { continue }
            let text = try String(contentsOf: url, encoding: .utf8)
            texts.append((relative, text))
            if relative.hasSuffix(".mustache") {
                files.append(TemplateFile(path: String(relative.dropLast(".mustache".count)), template: try MustacheTemplate(string: text), verbatim: nil))
            } else {
                files.append(TemplateFile(path: relative, template: nil, verbatim: text))
            }
        }
        self.files = files.sorted { $0.path < $1.path }
        version = Digest.sha256Hex(Data(texts.sorted { $0.0 < $1.0 }.map { "\($0.0)\u{0}\($0.1)\u{0}" }.joined().utf8))
    }

    /// The scaffold's files, path → content.
    func render(_ plan: ScaffoldPlan) throws -> [String: String] {
        let root = try ScaffoldRenderModel.root(for: plan)
        var output: [String: String] = [:]
        for file in files {
            if file.path.contains("__plural__") {
                for (index, entity) in plan.spec.entities.enumerated() {
                    let context = root.merging(try ScaffoldRenderModel.entity(entity, in: plan, first: index == 0, last: index == plan.spec.entities.count - 1)) { $1 }
                    output[file.path.replacingOccurrences(of: "__plural__", with: entity.plural)] = render(file, context)
                }
            } else {
                output[file.path] = render(file, root)
            }
        }
        for migration in plan.migrations {
            let stem = String(format: "%04d_%@", migration.version, migration.name)
            output["migrations/\(stem).up.sql"] = migration.up.hasSuffix("\n") ? migration.up : migration.up + "\n"
            output["migrations/\(stem).down.sql"] = migration.down.hasSuffix("\n") ? migration.down : migration.down + "\n"
        }
        output["seed/seed.json"] = try Self.prettyJSON(plan.seed)
        output["seed/users.json"] = try Self.prettyJSON(SeedUsers.users(for: plan.spec))
        output["app/schema.json"] = try Self.prettyJSON(plan.spec)
        return output
    }

    private func render(_ file: TemplateFile, _ context: [String: Any]) -> String {
        file.template?.render(context) ?? file.verbatim ?? ""
    }

    private static func prettyJSON(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}
