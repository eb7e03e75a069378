import Foundation

/// Rewrites Markdown tables in a description into sentences the reader already understands.
///
/// | Entity | Fields |            → "Entity: fields."  (one sentence per row)
/// | Role | Can do |               → "Role can do."     (a header naming roles, people or users)
///
/// Each further column that holds text becomes a sentence about the row's first cell ("Rentals
/// belong to a rider."); the separator row (`|---|---|`) is dropped. Lines that are not part of a
/// table are left as they are.
enum MarkdownTables {
    /// First-column headers that make each row a role sentence.
    static let roleHeaders: Set<String> = ["role", "roles", "who", "user", "users", "person", "people", "actor", "actors", "user type", "user role"]

    /// The text with every table rewritten.
    static func rewrite(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var output: [String] = []
        var index = 0
        while index < lines.count {
            guard isRow(lines[index]), index + 1 < lines.count, isSeparator(lines[index + 1]) else {
                output.append(lines[index])
                index += 1
                continue
            }
            let header = cells(lines[index])
            let rolesTable = header.first.map { roleHeaders.contains($0.lowercased()) } ?? false
            index += 2
            output.append("")
            while index < lines.count, isRow(lines[index]) {
                output.append(sentence(cells(lines[index]), rolesTable: rolesTable))
                index += 1
            }
            output.append("")
        }
        return output.joined(separator: "\n")
    }

    private static func isRow(_ line: String) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed.hasPrefix("|") && trimmed.dropFirst().contains("|")
    }

    private static func isSeparator(_ line: String) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed.hasPrefix("|") && trimmed.allSatisfy { "|-: ".contains($0) } && trimmed.contains("-")
    }

    private static func cells(_ line: String) -> [String] {
        var parts = line.trimmingCharacters(in: .whitespaces).split(separator: "|", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        if parts.first?.isEmpty == true { parts.removeFirst() }
        if parts.last?.isEmpty == true { parts.removeLast() }
        return parts
    }

    private static func sentence(_ cells: [String], rolesTable: Bool) -> String {
        let filled = cells.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ". ")) }
        guard let first = filled.first, !first.isEmpty else { return "" }
        let rest = filled.dropFirst().filter { !$0.isEmpty && $0 != "-" && $0.lowercased() != "none" && $0.lowercased() != "n/a" }
        guard let main = rest.first else { return first + "." }
        let notes = rest.dropFirst().map { " \(first) \($0)." }.joined()
        return (rolesTable ? "\(first) \(main)." : "\(first): \(main).") + notes
    }
}
