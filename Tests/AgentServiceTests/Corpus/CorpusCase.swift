import Foundation

/// One description of the architect's corpus and the spec a person expects from it
/// (format: `docs/architect-corpus.md`).
struct CorpusCase: Decodable, Sendable {
    /// An expected entity.
    struct Entity: Decodable, Sendable {
        /// snake_case singular name.
        var name: String
        /// Other names a reasonable reader could choose.
        var aliases: [String]?
        /// The fields the text gives it (references excluded); nil when it gives none.
        var fields: [Field]?

        /// Every acceptable name.
        var names: Set<String> { Set([name] + (aliases ?? [])) }
    }

    /// An expected field.
    struct Field: Decodable, Sendable {
        /// snake_case name.
        var name: String
        /// Other acceptable names.
        var aliases: [String]?
        /// The type (`FieldType` raw values, or `user` for a field holding a user's id).
        var type: String
        /// The values of an enum, when the text lists them.
        var values: [String]?

        /// Every acceptable name.
        var names: Set<String> { Set([name] + (aliases ?? [])) }
    }

    /// An expected relation.
    struct Relation: Decodable, Sendable {
        /// `one_to_many` or `many_to_many`.
        var kind: String
        /// The parent (or first side).
        var from: String
        /// The child (or second side).
        var to: String
    }

    /// An expected role.
    struct Role: Decodable, Sendable {
        /// snake_case name.
        var name: String
        /// Other acceptable names.
        var aliases: [String]?
        /// The permissions the text states.
        var permissions: [Permission]

        /// Every acceptable name.
        var names: Set<String> { Set([name] + (aliases ?? [])) }
    }

    /// An expected permission on one entity.
    struct Permission: Decodable, Sendable {
        /// The entity.
        var entity: String
        /// `create`, `read`, `update`, `delete`.
        var actions: [String]
        /// `all` or `own`.
        var scope: String
    }

    /// The case's file name, without `.json`.
    var id: String = ""
    /// The text.
    var description: String
    /// How it is written.
    var style: String
    /// The application's domain.
    var domain: String
    /// The constructs it uses.
    var constructs: [String]
    /// The entities.
    var entities: [Entity]
    /// Entities neither credited nor penalised.
    var optionalEntities: [String]?
    /// The relations.
    var relations: [Relation]
    /// The roles.
    var roles: [Role]
    /// `entity.field` of the personal data.
    var pii: [String]

    enum CodingKeys: String, CodingKey {
        case description, style, domain, constructs, entities, relations, roles, pii
        case optionalEntities = "optional_entities"
    }

    /// Every case in the corpus directory, in file-name order.
    static func all() throws -> [CorpusCase] {
        guard let directory = Bundle.module.url(forResource: "ArchitectCorpus", withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "the ArchitectCorpus resource is missing"])
        }
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        return try files.map { file in
            var corpusCase = try JSONDecoder().decode(CorpusCase.self, from: Data(contentsOf: file))
            corpusCase.id = file.deletingPathExtension().lastPathComponent
            return corpusCase
        }
    }
}
