import Shared

/// Things named after their parent: "claim lines", "order lines", "session notes" — a compound
/// whose first words name another entity is that entity's child when the text links it to no
/// entity at all.
extension DescriptionReading {
    /// Heads that make a compound a kind of the thing or a request for it, not a part of it
    /// ("ticket types", "loan applications").
    static let kindAndRequestHeads: Set<String> = [
        "type", "kind", "category", "class", "group", "template", "model", "application", "request", "enquiry", "inquiry",
        "quote", "proposal",
    ]

    /// After the many-to-many pass: a reference from each such compound to the entity its first words name
    /// ("claim_line" → `claim`), unless its head names people ("permit holders"), a field
    /// ("employee names", "due dates"), a kind or a request, or either already refers to the other.
    mutating func collectCompoundChildren() {
        for entity in draft.entities where !entity.inferred && !entity.fields.contains(where: { $0.type == .reference }) {
            let parts = entity.name.split(separator: "_").map(String.init)
            guard parts.count >= 2, let head = parts.last, !Self.kindAndRequestHeads.contains(head), !ArchitectLexicon.namesPeople(head),
                  !ArchitectLexicon.fieldWords.contains(head), FieldTypeRules.type(forName: head) == .string,
                  let parent = (1..<parts.count).reversed().map({ parts[..<$0].joined(separator: "_") }).first(where: entityNames.contains),
                  let parentIndex = draft.index(of: parent),
                  !draft.entities[parentIndex].fields.contains(where: { $0.references == entity.name }) else { continue }
            addField(DraftField(name: parent, type: .reference, required: true, references: parent), to: entity.name)
        }
    }
}
