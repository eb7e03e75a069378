/// Role names from words: snake_case singular, with common spellings merged
/// ("administrators" → `admin`, "sales reps" → `sales_rep`).
enum RoleNames {
    /// Spellings of the same role.
    static let aliases: [String: String] = [
        "administrator": "admin", "superadmin": "admin", "super_admin": "admin", "sysadmin": "admin",
        "system_administrator": "admin", "system_admin": "admin", "sales_representative": "sales_rep",
        "salesperson": "sales_rep", "salespeople": "sales_rep", "support_agent": "support_agent",
    ]

    /// The canonical form of a snake_case role name.
    static func canonical(_ name: String) -> String {
        aliases[name] ?? name
    }

    /// A role name from the words of a noun phrase; nil when they do not make a valid name.
    static func name(from words: [String]) -> String? {
        let words = words.filter { !ArchitectLexicon.determiners.contains($0) && !ArchitectLexicon.modals.contains($0) }
        guard !words.isEmpty, words.count <= 3 else { return nil }
        let name = canonical(EnglishInflection.singularName(words))
        return EnglishInflection.isValidName(name) ? name : nil
    }

    /// Whether a role name gets full access to everything.
    static func isAdministrator(_ name: String) -> Bool {
        ArchitectLexicon.administratorWords.contains(name) || name.hasSuffix("_admin")
    }
}
