import Foundation
import Shared

/// The deterministic Product Architect: turns a free-text description or a guided form into a
/// `FormalSpec` (entities, fields, relations, roles, acceptance criteria) by rules alone — no
/// network, no model. The same input always gives the same spec. Rules: `docs/architect.md`.
struct ProductArchitect: Sendable {
    /// The longest description accepted, in characters.
    static let maximumDescriptionLength = 20_000

    /// Creates an architect.
    init() {}

    /// Free text or guided form → formal spec.
    ///
    /// Throws `WireError(.invalidArgument)` naming the field: `description` for empty, vague or
    /// oversized text; `form` when guided mode has no form; `form.entities[1].fields[0].type` (and
    /// so on) for each problem of a form.
    func design(_ input: ArchitectInput) throws -> FormalSpec {
        switch input.mode {
        case .freeform:
            return try designFromText(input)
        case .guided:
            return try designFromForm(input)
        }
    }

    private func designFromText(_ input: ArchitectInput) throws -> FormalSpec {
        let text = input.description.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else {
            throw WireError.invalidArgument(field: "description", "is empty: describe the things the application manages, e.g. 'contacts with a name and email; each deal has an amount and belongs to a contact'")
        }
        guard text.count <= Self.maximumDescriptionLength else {
            throw WireError.invalidArgument(field: "description", "is \(text.count) characters long; at most \(Self.maximumDescriptionLength) are accepted, describe the application more briefly or use a guided form")
        }
        var draft = try DescriptionReader().read(description: text, title: input.title)
        draft.customCriteria = input.acceptanceCriteria ?? []
        draft.description = text
        return try SpecAssembler().assemble(draft, inputField: "description")
    }

    private func designFromForm(_ input: ArchitectInput) throws -> FormalSpec {
        guard let form = input.form else {
            throw WireError.invalidArgument(field: "form", "guided mode needs a form with at least one entity")
        }
        try GuidedFormValidator.validate(form)
        var draft = GuidedFormReader().read(form, title: input.title)
        draft.customCriteria = input.acceptanceCriteria ?? []
        return try SpecAssembler().assemble(draft, inputField: "form.entities")
    }
}
