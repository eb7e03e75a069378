import Testing
@testable import AgentService
import Shared

/// Whatever the text, a spec the architect returns is well-formed: valid unique names, no
/// dangling references, owner fields that exist, own scopes only where there is an owner.
extension ProductArchitectTests {
    /// A small seeded generator, so the "random" texts are the same on every run.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
    }

    static let fragments = [
        "contacts", "deals", "has", "have", "a", "the", "with", "and", ",", ".", "(", ")", ":", "/",
        "belongs", "to", "many", "tags", "posts", "can", "see", "only", "their", "own", "all",
        "managers", "customers", "name", "email", "phone", "status", "priority", "low", "high",
        "amount", "due", "date", "datetime", "start", "end", "each", "is", "for", "which",
        "many-to-many", "everything", "cannot", "delete", "edit", "them", "they", "agents", "tickets",
        "owner", "assignee", "assigned", "notes", "first", "last", "company", "people", "'s", "\n- ",
        "e.g.", "required", "unique", "projects", "tasks", "sales reps", "leave requests", "stock",
        "orders", "in", "hours", "roles", "entities", "123", "é", ";",
    ]

    @Test func randomTextGivesWellFormedSpecsOrInvalidArgument() throws {
        var generator = SeededGenerator(state: 0x5EED)
        for _ in 0..<400 {
            let count = Int.random(in: 1...50, using: &generator)
            let text = (0..<count).map { _ in Self.fragments.randomElement(using: &generator)! }.joined(separator: " ")
            let spec: FormalSpec
            do {
                spec = try design(text)
            } catch let error as WireError {
                #expect(error.code == .invalidArgument && error.details.first?.field == "description", "\(text)")
                continue
            }
            expectWellFormed(spec, text)
        }
    }

    /// The 80 descriptions of the architect's corpus give well-formed specs too.
    @Test func corpusDescriptionsGiveWellFormedSpecs() throws {
        for corpusCase in try CorpusCase.all() {
            expectWellFormed(try design(corpusCase.description), corpusCase.id)
        }
    }

    func expectWellFormed(_ spec: FormalSpec, _ text: String) {
        let names = spec.entities.map(\.name)
        #expect(!names.isEmpty && Set(names).count == names.count, "\(text)")
        for entity in spec.entities {
            #expect(EnglishInflection.isValidName(entity.name) && !entity.fields.isEmpty, "\(entity.name): \(text)")
            #expect(Set(entity.fields.map(\.name)).count == entity.fields.count, "\(entity.name): \(text)")
            for field in entity.fields {
                #expect(EnglishInflection.isValidName(field.name), "\(field.name): \(text)")
                if field.type == .reference { #expect(names.contains(field.references ?? ""), "\(entity.name).\(field.name): \(text)") }
                if field.type == .enum { #expect(!(field.values ?? []).isEmpty, "\(entity.name).\(field.name): \(text)") }
            }
            // Columns never collide, with each other or with those every table has.
            let columns = ["id", "tenant_id", "created_at", "updated_at"] + entity.fields.map { $0.type == .reference ? "\($0.name)_id" : $0.name }
            #expect(Set(columns).count == columns.count, "\(entity.name): \(columns): \(text)")
            // A required reference points to an entity made before: every table's first row can be created.
            let earlier = names.prefix { $0 != entity.name }
            for field in entity.fields where field.type == .reference && field.required {
                #expect(earlier.contains(field.references ?? ""), "\(entity.name).\(field.name) → \(field.references ?? ""): \(text)")
            }
        }
        // Owner fields are fields, implicit owner columns or paths through references.
        #expect(throws: Never.self, "\(text)") { try spec.validateOwnership(at: "spec") }
        for relation in spec.relations { #expect(names.contains(relation.from) && names.contains(relation.to), "\(text)") }
        #expect(Set(spec.roles.map(\.name)).count == spec.roles.count, "\(text)")
        for permission in spec.roles.flatMap(\.permissions) {
            #expect(names.contains(permission.entity) && !permission.actions.isEmpty, "\(text)")
            if permission.scope == .own { #expect(spec.entity(named: permission.entity)?.ownerField != nil, "\(text)") }
        }
        #expect(spec.acceptanceCriteria.map(\.id) == (0..<spec.acceptanceCriteria.count).map { "AC-\($0 + 1)" })
    }
}
