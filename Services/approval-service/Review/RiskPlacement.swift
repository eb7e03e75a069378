import Shared

/// Places the plan's risk flags next to the files they concern, so a reviewer reads a flag where
/// it bites. A flag's detail names entities, fields and migrations (`PII fields: contacts.email`,
/// `destructive forward migrations: 0003_drop_notes`); a file concerns a flag when one of its
/// path's words is one of those names, singular or plural. A flag no file matches concerns the
/// whole change.
struct RiskPlacement: Sendable {
    /// The flags that concern each path.
    private(set) var byPath: [String: [RiskFlag]] = [:]
    /// The flags that concern no file in particular.
    private(set) var wholeChange: [RiskFlag] = []

    /// Places `flags` over `paths`.
    init(flags: [RiskFlag], paths: [String]) {
        let words = Dictionary(paths.map { ($0, Self.words(ofPath: $0)) }, uniquingKeysWith: { first, _ in first })
        for flag in flags {
            let names = Self.names(inDetail: flag.detail)
            let concerned = paths.filter { path in !(words[path] ?? []).isDisjoint(with: names) }
            if concerned.isEmpty { wholeChange.append(flag) }
            for path in concerned { byPath[path, default: []].append(flag) }
        }
    }

    /// The identifiers a flag's detail names, each with its singular and plural forms; words the
    /// details are written in (`fields`, `rules`, …) are left out.
    static func names(inDetail detail: String) -> Set<String> {
        let afterColon = detail.split(separator: ":", maxSplits: 1).last.map(String.init) ?? detail
        var names = Set<String>()
        for token in afterColon.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }) where token.count >= 3 {
            let word = String(token)
            guard !Self.prose.contains(word), !word.allSatisfy(\.isNumber) else { continue }
            names.formUnion(forms(of: word))
        }
        return names
    }

    /// A path's words: its components split at `/`, `.`, `-` and `_` as well as the components
    /// themselves without extension (`0002_create_contacts`), lower-cased.
    static func words(ofPath path: String) -> Set<String> {
        var words = Set<String>()
        for component in path.lowercased().split(separator: "/") {
            let stem = component.split(separator: ".").first.map(String.init) ?? String(component)
            words.insert(stem)
            words.formUnion(component.split(whereSeparator: { $0 == "." || $0 == "-" || $0 == "_" }).map(String.init))
        }
        return words
    }

    /// `word`, and its singular or plural as English inflects most table names.
    private static func forms(of word: String) -> Set<String> {
        var forms: Set<String> = [word]
        if word.hasSuffix("ies") { forms.insert(String(word.dropLast(3)) + "y") }
        else if word.hasSuffix("es") { forms.insert(String(word.dropLast(2))); forms.insert(String(word.dropLast())) }
        else if word.hasSuffix("s") { forms.insert(String(word.dropLast())) }
        else if word.hasSuffix("y") { forms.insert(String(word.dropLast()) + "ies") }
        else { forms.insert(word + "s"); forms.insert(word + "es") }
        return forms
    }

    /// Words of the flags' own prose, never names of the plan.
    private static let prose: Set<String> = [
        "fields", "field", "money", "many", "own", "row", "rules", "the", "and", "on", "run", "runs",
        "existing", "repository", "migrations", "migration", "destructive", "forward", "external",
        "integrations", "mentioned", "entities", "roles", "change", "access", "model", "pii",
    ]
}
