import Shared

/// Reads a free-text description into a `DraftSpec`: entities and their fields, references,
/// many-to-many pairs, roles and permission statements.
///
/// Passes: (1) tokenize (Markdown tables, notes and flags normalised), set sentences about
/// personal data aside, make yes/no questions fields (`YesNoQuestions`), rewrite sentences of
/// unknown verbs (`VerbSentences`) and cut into clauses;
/// (2) classify each clause's subject (the application, entities, roles); (3) collect roles;
/// (4) collect entities — grouped entities anywhere, application lists, subjects, parents, links,
/// collections, archetypes named in permissions; (5) fields and links, then parents named as one
/// of a set ("at one of our offices"); (6) permission statements;
/// (7) self-references, "many" in any verb, many-to-many (giving way to a join named right after
/// it), children named after their parent
/// ("claim lines"); (8) fallbacks for descriptions that only
/// name things ("contacts, companies and deals") or a kind of application ("Build a CRM");
/// (9) what was not understood (`unrecognized`).
struct DescriptionReader {
    /// Creates a reader.
    init() {}

    /// The draft of a description; throws INVALID_ARGUMENT (field `description`) when it names nothing.
    func read(description: String, title: String) throws -> DraftSpec {
        var reading = DescriptionReading(description: description, title: title)
        reading.run()
        guard !reading.draft.entities.isEmpty else {
            throw WireError.invalidArgument(
                field: "description",
                "no entities found: describe the things the application manages and what each has, e.g. 'contacts with a name and email; each deal has an amount and belongs to a contact'"
            )
        }
        return reading.draft
    }
}
