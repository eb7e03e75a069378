import Foundation
import Shared

/// The per-role prompt templates (`Prompts/<role>.md`) and output schemas (`Schemas/<role>.json`),
/// loaded once from the service's resource bundle.
struct PromptLibrary: Sendable {
    private let templates: [AgentRole: String]
    private let schemas: [AgentRole: JSONValue]

    /// Loads every role that has both files.
    init(bundle: Bundle = .module) throws {
        var templates: [AgentRole: String] = [:]
        var schemas: [AgentRole: JSONValue] = [:]
        for role in AgentRole.allCases {
            guard let template = bundle.url(forResource: role.rawValue, withExtension: "md", subdirectory: "Prompts"),
                  let schema = bundle.url(forResource: role.rawValue, withExtension: "json", subdirectory: "Schemas")
            else { continue }
            templates[role] = try String(contentsOf: template, encoding: .utf8)
            schemas[role] = try JSONValue(parsing: Data(contentsOf: schema))
        }
        self.templates = templates
        self.schemas = schemas
    }

    /// The output schema of a role.
    func schema(for role: AgentRole) throws -> JSONValue {
        guard let schema = schemas[role] else { throw WireError(.unimplemented, "role '\(role.rawValue)' has no output schema") }
        return schema
    }

    /// The prompt for a role and input: the template with `{{schema}}` and `{{input}}` filled in.
    func prompt(for role: AgentRole, input: JSONValue) throws -> String {
        guard let template = templates[role] else { throw WireError(.unimplemented, "role '\(role.rawValue)' has no prompt template") }
        let schemaText = String(decoding: try AgentJSON.text(try schema(for: role)), as: UTF8.self)
        let inputText = String(decoding: try AgentJSON.text(input), as: UTF8.self)
        return template.replacingOccurrences(of: "{{schema}}", with: schemaText).replacingOccurrences(of: "{{input}}", with: inputText)
    }
}
