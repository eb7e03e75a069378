import Shared

/// Reads permission statements out of role clauses: "Agents see all tickets, customers only
/// their own" → (agent, visibility, all, ticket), (customer, visibility, own, ticket).
///
/// The object of a role clause is cut into segments at `,` "and" "or" "but" "while" "whereas".
/// A segment may switch the role ("customers only their own"), the verb ("… and edit their own
/// deals"), the scope ("own"/"their" → own; "all"/"every" → all) and names entities; a segment
/// without an entity refers to the last one named ("… and approve them").
struct RoleStatementReader {
    /// A role clause: its roles and the clause.
    struct RoleClause: Sendable {
        /// The clause's roles.
        var roles: [String]
        /// The clause.
        var clause: Clause
    }

    /// Entities known so far (archetype names count, so "approve leave requests" names one).
    let matcher: EntityNameMatcher
    /// Role names known so far.
    let knownRoles: [String]

    /// What was read.
    struct Reading: Sendable {
        /// Role names in order of mention (including roles that appear only inside objects).
        var roleNames: [String] = []
        /// The statements.
        var statements: [RoleStatement] = []
        /// Entities named in the statements, with positions, in order.
        var entities: [(name: String, position: Int)] = []
    }

    /// Reads the statements of role clauses.
    func read(_ roleClauses: [RoleClause]) -> Reading {
        var reading = Reading()
        var lastEntities: [String] = []
        var lastScope: RoleSpec.Scope = .all
        var lastSubject: [String] = []
        var carriedGrants: [RoleStatement.Grant] = []
        for roleClause in roleClauses {
            for role in roleClause.roles where !reading.roleNames.contains(role) { reading.roleNames.append(role) }
            var roles = roleClause.roles
            if !roleClause.clause.subject.isEmpty { lastSubject = roleClause.clause.subject }
            var grants = [Self.grant(for: roleClause.clause.marker.words)]
            var negated = roleClause.clause.negated
            var pendingGrants: [RoleStatement.Grant] = roleClause.clause.subject.isEmpty ? carriedGrants : []
            var emitted = false
            var scope: RoleSpec.Scope?
            for segment in segments(of: roleClause.clause.object) {
                var words = segment.words
                if let (role, rest) = leadingRole(words) {
                    roles = [role]
                    words = rest
                    scope = nil
                    if !reading.roleNames.contains(role) { reading.roleNames.append(role) }
                }
                let heads = matcher.heads(in: words)
                let mentioned = Set(matcher.mentions(in: words).flatMap { Array($0.range) })
                let verbs = words.indices.filter { !mentioned.contains($0) }.compactMap { Self.verbGrant(words[$0]) }
                if !verbs.isEmpty { grants = verbs }
                if words.contains(where: ArchitectLexicon.negations.contains) { negated = true }
                let own = Self.ownership(words)
                var entities = heads.map(\.name)
                for head in heads {
                    let position = segment.first.map { $0.position + head.range.lowerBound } ?? roleClause.clause.position
                    reading.entities.append((head.name, position))
                }
                let everything = entities.isEmpty && words.contains(where: ArchitectLexicon.everythingWords.contains) && !own.isOwn
                if entities.isEmpty, !everything, !own.isOwn, !words.contains(where: Self.pronouns.contains) {
                    if !verbs.isEmpty { pendingGrants += verbs }
                    continue
                }
                // "… see only their own parcels and can update them": "them" is those own parcels.
                let pointsBack = entities.isEmpty && !everything
                if pointsBack { entities = lastEntities }
                guard !entities.isEmpty || everything else { continue }
                let segmentScope: RoleSpec.Scope = own.isOwn ? .own : words.contains(where: ArchitectLexicon.everythingWords.contains) ? .all
                    : (scope ?? (pointsBack ? lastScope : .all))
                scope = segmentScope
                lastScope = segmentScope
                let readOnly = words.contains("read_only") || roleClause.clause.restrictive && segmentScope == .all && grants == [.visibility]
                let statementGrants = Self.unique(pendingGrants + grants + (readOnly ? [.readOnly] : []))
                pendingGrants = []
                let subject = lastSubject.isEmpty ? roles.joined(separator: ", ") : lastSubject.joined(separator: " ")
                let verb = segment.first.flatMap(\.word).flatMap(Self.verbGrant) != nil ? [] : roleClause.clause.marker.words
                reading.statements.append(RoleStatement(
                    roles: roles, grants: statementGrants, scope: segmentScope, entities: entities,
                    everything: everything, negated: negated, ownerHint: own.hint,
                    source: ([subject] + verb + segment.compactMap(\.word)).joined(separator: " ")
                ))
                if !entities.isEmpty { lastEntities = entities }
                emitted = true
            }
            carriedGrants = emitted ? [] : Self.unique(pendingGrants + grants)
        }
        return reading
    }

    /// Object pronouns that point back at the last entities named.
    static let pronouns: Set<String> = ["them", "it", "those", "these", "theirs", "ones"]

    /// The object cut at segment separators, groups dropped.
    private func segments(of tokens: [DescriptionToken]) -> [[DescriptionToken]] {
        var segments: [[DescriptionToken]] = [[]]
        for token in tokens {
            if token.isListSeparator || token.mark == ":" || ["but", "while", "whereas", "except"].contains(token.word ?? "") {
                segments.append([])
            } else if token.word != nil {
                segments[segments.count - 1].append(token)
            }
        }
        return segments.filter { !$0.isEmpty }
    }

    /// A role named at the start of a segment and the words after it ("customers only their own").
    private func leadingRole(_ words: [String]) -> (String, [String])? {
        let scopeStarts = ArchitectLexicon.ownWords.union(ArchitectLexicon.everythingWords)
            .union(["only", "can", "may", "cannot", "also", "do", "not", "never", "should", "must"])
        guard let split = words.firstIndex(where: { scopeStarts.contains($0) || Self.verbGrant($0) != nil }),
              (1...3).contains(split) else { return nil }
        let phrase = Array(words[..<split])
        let name = EnglishInflection.singularName(phrase)
        guard let last = phrase.last.map(EnglishInflection.singular),
              knownRoles.contains(name) || ArchitectLexicon.personWords.contains(last),
              EnglishInflection.isValidName(name) else { return nil }
        return (RoleNames.canonical(name), Array(words[split...]))
    }

    /// Whether the words limit the statement to the user's own rows, and the field that decides.
    static func ownership(_ words: [String]) -> (isOwn: Bool, hint: String?) {
        let text = " " + words.joined(separator: " ") + " "
        if text.contains(" assigned to them ") || text.contains(" assigned to him ") || text.contains(" assigned to her ") || text.contains(" assigned to me ") {
            return (true, "assignee")
        }
        if text.contains(" they created ") || text.contains(" created by them ") || text.contains(" they own ") || text.contains(" they submitted ") {
            return (true, nil)
        }
        return (words.contains(where: ArchitectLexicon.ownWords.contains), nil)
    }

    /// The grant of a clause's verb phrase.
    static func grant(for verb: [String]) -> RoleStatement.Grant {
        if verb.contains("read_only") || verb.contains("read") && verb.contains("access") { return .readOnly }
        if verb.contains("full") { return .manage }
        for word in verb.reversed() where word != "to" && word != "on" {
            if let grant = verbGrant(word) { return grant }
        }
        return .visibility
    }

    /// The grant of one verb word, if it is one.
    static func verbGrant(_ word: String) -> RoleStatement.Grant? {
        switch word {
        case "see", "sees", "view", "views", "read", "reads", "access", "accesses", "browse", "work", "works", "track", "tracks", "list", "export":
            .visibility
        case "manage", "manages", "administer", "administers", "control", "controls", "handle", "handles", "own", "owns",
             "run", "runs", "oversee", "oversees":
            word == "own" ? nil : .manage
        case "edit", "edits", "update", "updates", "modify", "modifies", "change", "changes", "adjust", "adjusts",
             "amend", "amends", "maintain", "maintains", "correct", "corrects":
            .edit
        case "create", "creates", "add", "adds", "submit", "submits", "write", "writes", "book", "order", "post",
             "comment", "schedule", "request", "file", "log", "place", "open", "opens", "raise", "register",
             "upload", "reserve", "publish", "publishes", "invite", "enroll", "record", "records", "logs", "capture", "captures":
            .create
        case "delete", "deletes", "remove", "removes", "cancel", "cancels":
            .delete
        case "approve", "approves", "reject", "rejects", "assign", "assigns", "close", "closes", "resolve",
             "resolves", "review", "reviews", "moderate", "moderates":
            .decide
        default:
            nil
        }
    }

    private static func unique(_ grants: [RoleStatement.Grant]) -> [RoleStatement.Grant] {
        var result: [RoleStatement.Grant] = []
        for grant in grants where !result.contains(grant) { result.append(grant) }
        return result
    }
}
