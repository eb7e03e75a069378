import Foundation

/// The rule-based risk of what a run actually changed: its diffs (Codegen's and every fix),
/// read against its plan. Each rule that fires adds its weight once and names the files and
/// lines that raised it. A pure function of the diffs and the plan's files (docs/risk-assessment.md,
/// "Risk over the diff").
struct DiffRisk: Sendable, Equatable {
    /// One iteration's diff and who wrote it.
    struct Diff: Sendable, Equatable {
        var iteration: Int
        /// `codegen_engineer` or `auto_fixer`.
        var role: String
        var text: String
    }

    /// The rules and their weights.
    enum Rule: String, CaseIterable, Sendable {
        /// A forward migration drops, truncates, deletes without a condition, retypes or renames.
        case destructiveMigration = "destructive_migration"
        /// Authentication or authorization code changed by a fix, or existing lines of it removed.
        case authChanged = "auth_changed"
        /// Code calls out to a hard-coded outside address, or a file the plan does not list
        /// makes outbound calls.
        case outsideCalls = "outside_calls"
        /// Files the plan does not list were written.
        case filesOutsidePlan = "files_outside_plan"

        /// What the rule adds to the score.
        var weight: Int {
            switch self {
            case .destructiveMigration: 25
            case .authChanged, .outsideCalls: 15
            case .filesOutsidePlan: 10
            }
        }
    }

    /// A rule that fired and why.
    struct Finding: Sendable, Equatable {
        var rule: Rule
        var detail: String

        /// `rule (+weight): detail`, as the gate shows it.
        var reason: String { "\(rule.rawValue) (+\(rule.weight)): \(detail)" }
    }

    /// The rules that fired, in the order of `Rule.allCases`.
    let findings: [Finding]

    /// Reads `diffs` against the files the plan lists.
    init(diffs: [Diff], plannedFiles: Set<String>) {
        var hits: [Rule: [String]] = [:]
        for diff in diffs {
            for file in DiffChanges(diff.text).files {
                let isFix = diff.role == "auto_fixer"
                if Self.isForwardMigration(file.path), let statement = file.added.first(where: Self.isDestructive) {
                    hits[.destructiveMigration, default: []].append("\(file.path): \(statement.trimmingCharacters(in: .whitespaces).prefix(80))")
                }
                if Self.isAuthCode(file.path), isFix || !file.removed.isEmpty {
                    hits[.authChanged, default: []].append("\(file.path) (\(isFix ? "fix iteration \(diff.iteration)" : "\(file.removed.count) existing lines removed"))")
                }
                if Self.isCode(file.path) {
                    let planned = plannedFiles.contains(file.path)
                    if let call = file.added.first(where: { Self.outsideAddress(in: $0) != nil || (!planned && Self.isOutboundCall($0)) }) {
                        hits[.outsideCalls, default: []].append("\(file.path): \(Self.outsideAddress(in: call) ?? call.trimmingCharacters(in: .whitespaces).prefix(80).description)")
                    }
                }
                if !plannedFiles.contains(file.path) {
                    hits[.filesOutsidePlan, default: []].append(file.path)
                }
            }
        }
        findings = Rule.allCases.compactMap { rule in
            guard let places = hits[rule] else { return nil }
            let unique = places.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            let shown = unique.prefix(5).joined(separator: "; ") + (unique.count > 5 ? "; and \(unique.count - 5) more" : "")
            return Finding(rule: rule, detail: shown)
        }
    }

    // MARK: - What the rules look for

    /// A migration that moves the schema forward: a `.sql` file under a `migrations` directory
    /// that is not a rollback (`….down.sql`, `…_down.sql`).
    static func isForwardMigration(_ path: String) -> Bool {
        let lower = path.lowercased()
        let components = lower.split(separator: "/")
        guard lower.hasSuffix(".sql"), components.dropLast().contains(where: { $0.contains("migration") }) else { return false }
        return !(lower.hasSuffix(".down.sql") || lower.hasSuffix("_down.sql") || lower.hasSuffix("/down.sql"))
    }

    /// A statement that destroys data or schema, at the start of a line.
    static func isDestructive(_ line: String) -> Bool {
        line.range(of: destructivePattern, options: [.regularExpression, .caseInsensitive]) != nil
    }

    private static let destructivePattern = #"""
        ^\s*(drop\s+(table|column|schema|database|view|materialized\s+view|type|function|trigger|policy|index)\b|truncate\b|delete\s+from\s+[^\s;]+\s*(;|$)|alter\s+table\s+.*\b(drop\s+(column|constraint)|rename\b|alter\s+column\s+\S+\s+(set\s+data\s+)?type\b))
        """#.trimmingCharacters(in: .whitespacesAndNewlines)

    /// Authentication or authorization code (not its tests): a file named for auth, roles,
    /// permissions, sessions, tokens, passwords, keys or the identity provider.
    static func isAuthCode(_ path: String) -> Bool {
        guard isCode(path) else { return false }
        let name = path.lowercased().split(separator: "/").last.map(String.init) ?? path
        return name.range(of: #"(auth|rbac|permission|polic|oidc|oauth|saml|password|login|session|jwt|token|issuer|crypto|acl|access)"#, options: .regularExpression) != nil
    }

    /// Program code, outside test directories.
    static func isCode(_ path: String) -> Bool {
        let lower = path.lowercased()
        let components = lower.split(separator: "/")
        guard !components.dropLast().contains(where: { $0 == "tests" || $0 == "test" || $0 == "spec" || $0 == "__tests__" }) else { return false }
        let name = components.last.map(String.init) ?? lower
        if name.hasPrefix("test_") || name.hasSuffix("_test.py") || name.contains(".test.") || name.contains(".spec.") { return false }
        return [".py", ".js", ".mjs", ".ts", ".go", ".rb", ".java", ".kt", ".swift", ".php", ".rs", ".sh"].contains { name.hasSuffix($0) } || name == "dockerfile"
    }

    /// A literal http(s) address of a host that is not this machine, in `line`.
    static func outsideAddress(in line: String) -> String? {
        guard let range = line.range(of: #"https?://[A-Za-z0-9][A-Za-z0-9.-]*"#, options: .regularExpression) else { return nil }
        let address = String(line[range])
        let host = address.split(separator: "/").last.map(String.init)?.lowercased() ?? ""
        return ["localhost", "127.0.0.1", "0.0.0.0"].contains(host) || host.hasSuffix(".localhost") ? nil : address
    }

    /// A line that opens an outbound connection (HTTP clients, sockets, downloaders).
    static func isOutboundCall(_ line: String) -> Bool {
        line.range(of: #"(urlopen\(|\brequests\.(get|post|put|patch|delete|head|request|Session)\b|\bhttpx\.|\bhttp\.client\b|\bsocket\.(socket|create_connection)\(|\bfetch\(|\baxios\b|\bcurl\s|\bwget\s|URLSession|net/http)"#, options: .regularExpression) != nil
    }
}
