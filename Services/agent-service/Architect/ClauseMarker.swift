/// A verb or verb phrase that starts a clause ("has", "belongs to", "see"), and what it says
/// about the clause's subject and object.
struct ClauseMarker: Sendable, Equatable {
    /// What a marker says.
    enum Kind: Sendable, Equatable {
        /// The object lists fields or children of the subject: "has", "with", "contains".
        case has
        /// The object lists the application's entities, a role's rights, or children:
        /// "tracks", "manages", "keeps track of".
        case tracks
        /// The object is the subject's parent: "belongs to", "is for", "is part of".
        case belongsTo
        /// The object is a user (or entity) linked to the subject through a field of this name:
        /// "is assigned to" → `assignee`, "is owned by" → `owner`.
        case userLink(String)
        /// A permission verb of a role: "see", "edit", "create", "approve".
        case permits
        /// A colon after the sentence's first noun phrase: "Contacts: name, email".
        case label
        /// The subject links the entities named before "with" and has the fields after it:
        /// "Lessons link a student to a tutor with a fee".
        case links
    }

    /// Verbs of recording: after an entity they list its fields ("shipments record the carrier"),
    /// after people they grant creating ("attendants record fines").
    static let recordingVerbs: Set<String> = ["records", "record", "recording", "captures", "capture", "logs"]

    /// Verbs of possession whose plural objects are children ("each vehicle gets repair orders",
    /// "each boat keeps its insurance certificates").
    static let childVerbs: Set<String> = ["gets", "get", "keeps", "keep", "accumulates", "collects"]

    /// Whether the marker's plural objects are child entities.
    var listsChildren: Bool { words.count == 1 && Self.childVerbs.contains(words[0]) }

    /// Whether the marker links the subject to a user or an entity ("is assigned to").
    var linksUser: Bool {
        if case .userLink = kind { return true }
        return false
    }

    /// Whether the marker is a verb of recording.
    var isRecording: Bool { words.count == 1 && Self.recordingVerbs.contains(words[0]) }

    /// The words that make up the marker.
    let words: [String]
    /// What it says.
    let kind: Kind
    /// Whether it counts only after a modal ("can book", "may post"): the word is also a noun.
    let needsModal: Bool

    /// Creates a marker from its space-separated words.
    init(_ words: String, _ kind: Kind, needsModal: Bool = false) {
        self.words = words.split(separator: " ").map(String.init)
        self.kind = kind
        self.needsModal = needsModal
    }

    /// Every marker, longest phrases first so that "has access to" wins over "has".
    static let all: [ClauseMarker] = {
        let has = ["has", "have", "having", "with", "contains", "contain", "containing", "includes",
                   "include", "including", "holds", "hold", "consists of", "consist of", "is made of",
                   "are made of", "is made up of", "are made up of", "comprises", "comprise", "there are",
                   "there is", "there will be", "features", "records", "record", "recording", "captures",
                   "capture", "logs", "carry", "carries", "gets", "keeps", "accumulates", "collects", "register with", "registers with", "are registered with",
                   "is registered with", "sign up with", "signs up with", "lists", "specifies"]
        let links = ["link", "links", "linking", "connect", "connects", "connecting", "ties", "tie", "pairs",
                     "pair", "allocates", "put", "puts", "places", "place", "slot", "slots"]
        let tracks = ["tracks", "track", "tracking", "manages", "manage", "managing", "handles", "handle",
                      "handling", "stores", "storing", "organizes", "organize", "organizing",
                      "keeps track of", "keep track of", "keeping track of", "covers", "lists all"]
        let belongs = ["belongs to", "belong to", "belonging to", "is for", "are for", "is linked to",
                       "are linked to", "linked to", "is part of", "are part of", "is tied to", "are tied to",
                       "is attached to", "are attached to", "attached to", "refers to", "refer to",
                       "is related to", "are related to", "relates to", "relate to", "is in", "are in",
                       "be in", "be for", "is on", "are on", "be on", "appears on", "appear on", "appears in",
                       "appear in", "is placed by", "are placed by", "is made by", "are made by",
                       "is created by", "are created by", "is written by", "are written by",
                       "is submitted by", "are submitted by", "is booked by", "are booked by",
                       "is filed by", "are filed by", "is opened by", "are opened by", "references",
                       "is run by", "are run by", "is taken by", "are taken by", "is led by", "are led by",
                       "is logged against", "are logged against", "logged against", "is logged on",
                       "are logged on", "is logged for", "are logged for", "comes from", "come from",
                       "is kept at", "are kept at", "is kept in", "are kept in", "is stored in",
                       "are stored in", "is written for", "are written for", "is written about",
                       "are written about", "runs on", "run on", "goes to", "go to", "is held at",
                       "are held at", "takes place at", "take place at", "is raised against",
                       "are raised against", "is issued to", "are issued to", "is issued for",
                       "are issued for", "is made for", "are made for", "sits under", "sit under",
                       "is nested under", "are nested under", "reports to", "report to", "is based at",
                       "are based at", "is located at", "are located at", "is located in", "are located in"]
            + locatingVerbs.map { $0.joined(separator: " ") }
        let children = ["is divided into", "are divided into", "is split into", "are split into",
                        "is broken into", "are broken into"]
        let permits = ["see", "sees", "view", "views", "read", "reads", "access", "accesses",
                       "have access to", "has access to", "have full access to", "has full access to",
                       "have read access to", "has read access to", "have read_only access to",
                       "has read_only access to", "edit", "edits", "update", "updates", "modify",
                       "modifies", "create", "creates", "add", "adds", "delete", "deletes", "remove",
                       "removes", "approve", "approves", "reject", "rejects", "assign", "assigns",
                       "submit", "submits", "write", "writes", "administer", "administers",
                       "moderate", "moderates", "work on", "works on", "run", "runs", "oversee", "oversees",
                       "look up", "looks up", "look at", "looks at", "read_only", "are read_only on",
                       "adjust", "adjusts", "amend", "amends", "maintain", "maintains", "correct", "corrects",
                       "is read_only on", "read_only on"]
        let modalPermits = ["book", "order", "post", "comment", "review", "reviews", "schedule",
                            "request", "file", "log", "list", "place", "open", "opens", "raise",
                            "register", "upload", "reserve", "cancel", "close", "closes", "resolve",
                            "resolves", "change", "changes", "control", "publish", "publishes",
                            "browse", "export", "invite", "enroll"]
        var markers = (has + children).map { ClauseMarker($0, .has) }
            + ["get", "keep"].map { ClauseMarker($0, .has) }
            + links.map { ClauseMarker($0, .links) }
            + tracks.map { ClauseMarker($0, .tracks) }
            + belongs.map { ClauseMarker($0, .belongsTo) }
            + ["is assigned to", "are assigned to", "assigned to", "get assigned to", "gets assigned to", "is assigned", "are assigned"]
                .map { ClauseMarker($0, .userLink("assignee")) }
            + ["is owned by", "are owned by", "owned by"].map { ClauseMarker($0, .userLink("owner")) }
            + permits.map { ClauseMarker($0, .permits) }
            + modalPermits.map { ClauseMarker($0, .permits, needsModal: true) }
        return markers.enumerated()
            .sorted { ($0.element.words.count, -$0.offset) > ($1.element.words.count, -$1.offset) }
            .map(\.element)
    }()

    /// Single-word verbs of granting rights: a marker's word right after one is its object ("staff
    /// manage records", "admins see logs").
    static let grantingVerbs: Set<String> = Set(all.filter { $0.words.count == 1 && ($0.kind == .permits || $0.kind == .tracks) && !$0.needsModal }.map { $0.words[0] })

    /// Words after which a marker's verb is not a verb ("a view count", "the update date").
    static let nounContext: Set<String> = [
        "a", "an", "the", "of", "per", "its", "their", "his", "her", "our", "my", "your", "this",
        "these", "those", "first", "last", "next", "every",
    ]

    /// Object pronouns: "assigned to them" is a permission's scope, not a relation.
    static let objectPronouns: Set<String> = ["them", "him", "her", "me", "you", "us", "themselves"]

    /// Modals that allow a marker with `needsModal`.
    static let modalsBeforeVerb: Set<String> = ["can", "may", "must", "should", "could", "cannot", "also", "only", "to", "not"]

    /// The marker starting at `index` of `tokens`, if any, with the number of tokens it spans.
    static func match(in tokens: [DescriptionToken], at index: Int) -> (marker: ClauseMarker, length: Int)? {
        let previous = index > 0 ? tokens[index - 1].word : nil
        for marker in all {
            guard index + marker.words.count <= tokens.count else { continue }
            var matches = true
            for (offset, word) in marker.words.enumerated() where tokens[index + offset].word != word {
                matches = false
                break
            }
            guard matches else { continue }
            if marker.kind == .permits, ["assign", "assigns"].contains(marker.words), let previous, EnglishInflection.isPlural(previous),
               !ArchitectLexicon.namesPeople(previous), index + 1 < tokens.count, tokens[index + 1].word.map(ArchitectLexicon.singleWords.contains) == true {
                return (ClauseMarker(marker.words[0], .links), 1) // "operating slots assign a member to a layout": things that assign link
            }
            if marker.needsModal, !(previous.map(modalsBeforeVerb.contains) ?? false) { continue }
            if marker.listsChildren, !opensChildren(after: index + 1, in: tokens, previous: previous) { continue }
            if Self.placingVerbs.contains(marker.words) || Self.locatingVerbs.contains(marker.words),
               index + marker.words.count >= tokens.count || !(tokens[index + marker.words.count].word.map(ArchitectLexicon.determiners.union(ArchitectLexicon.singleWords).contains) ?? false) { continue }
            if let previous, nounContext.contains(previous) { continue }
            if let previous, ArchitectLexicon.eachWords.contains(previous), marker.words.count == 1, !marker.words[0].hasSuffix("s"),
               marker.isRecording || [.permits, .tracks, .links].contains(marker.kind) { continue } // "each record from one label"
            if let previous, marker.words.count == 1, Self.grantingVerbs.contains(previous) { continue } // "staff manage records"
            let after = index + marker.words.count
            let linksToParent = marker.kind == .belongsTo || marker.kind != .has && marker.kind != .permits && marker.kind != .tracks && marker.kind != .links
            if linksToParent, after < tokens.count,
               let next = tokens[after].word, objectPronouns.contains(next) { continue }
            if after >= tokens.count || tokens[after].mark == ":" { continue } // "price lists: name" is a label
            if marker.kind == .has, marker.words == ["has"] || marker.words == ["have"], let next = tokens[after].word,
               isAuxiliaryUse(next, before: after + 1 < tokens.count ? tokens[after + 1].word : nil) { continue }
            return (marker, marker.words.count)
        }
        return passive(in: tokens, at: index)
    }

    /// Verbs of placing, links only before an article ("put a crop into a bed", not "put on exhibitions").
    static let placingVerbs: Set<[String]> = [["put"], ["puts"], ["place"], ["places"], ["slot"], ["slots"]]

    /// Verbs of where a thing stays, parents only before an article ("every item sits in one shop",
    /// "hives live in an apiary", not "sits in on every recording").
    static let locatingVerbs: Set<[String]> = [
        ["sits", "in"], ["sit", "in"], ["sits", "at"], ["sit", "at"], ["lives", "in"], ["live", "in"], ["lives", "at"],
        ["live", "at"], ["is", "housed", "in"], ["are", "housed", "in"], ["is", "housed", "at"], ["are", "housed", "at"],
    ]

    /// Whether a verb of children stands as one: not an infinitive ("to get off paper") and
    /// followed by an article, a quantifier or a plural ("gets repair orders"), not an adjective
    /// ("summer gets really busy").
    static func opensChildren(after index: Int, in tokens: [DescriptionToken], previous: String?) -> Bool {
        guard previous != "to", index < tokens.count, let next = tokens[index].word else { return false }
        let noun = tokens[index...].prefix { $0.word != nil }.prefix(3).compactMap(\.word)
        return ArchitectLexicon.determiners.contains(next) || ArchitectLexicon.collectionWords.contains(next)
            || ArchitectLexicon.singleWords.contains(next) || ArchitectLexicon.numberWords.contains(next)
            || next.allSatisfy(\.isNumber) || noun.contains { EnglishInflection.isPlural($0) && !ArchitectLexicon.isAdverb($0) }
    }

    /// Whether "has"/"have" before this word is an auxiliary ("has been run on paper", "have
    /// moved", "has finally collapsed", "has to hold"), not possession — a participle that is not a field's name
    /// ("has placed at").
    static func isAuxiliaryUse(_ next: String, before following: String?) -> Bool {
        if ["been", "become", "got", "gotten", "had", "to"].contains(next) { return true } // "has to hold" is "must hold"
        if ArchitectLexicon.isAdverb(next) || ArchitectLexicon.timeAdverbs.contains(next), let following, following.hasSuffix("ed") { return true } // "has finally collapsed"
        if irregularParticiples.contains(next), following.map(passivePrepositions.contains) == true { return true }
        return next.hasSuffix("ed") && next.count > 5 && following != "at" && following != "on"
    }

    /// Prepositions after a passive verb that make its object the subject's parent.
    static let passivePrepositions: Set<String> = ["by", "for", "to", "against", "on", "at", "in", "under", "from", "within"]
    /// Past participles that do not end in "-ed".
    static let irregularParticiples: Set<String> = [
        "taken", "written", "made", "run", "held", "kept", "given", "sent", "done", "seen", "sold", "bought",
        "brought", "led", "paid", "put", "set", "shown", "drawn", "grown", "known", "built", "spent", "lent",
        "found", "told", "won", "hung", "stuck", "bound", "driven", "ridden", "chosen", "taught", "caught",
    ]

    /// Terse notes drop the auxiliary: "act signed to one label", "each callout assigned one
    /// locksmith" — a participle after a short subject, before a preposition and an article (or
    /// before the article itself for "assigned"), makes the object the subject's parent; so does a
    /// bare preposition before "one" after "each" ("each product from one supplier").
    static func terseParticiple(in tokens: [DescriptionToken], at index: Int) -> (marker: ClauseMarker, length: Int)? {
        guard (1...3).contains(index), tokens[..<index].allSatisfy({ $0.word != nil && !["is", "are", "be", "was", "were"].contains($0.word!) }),
              index + 2 < tokens.count, let participle = tokens[index].word else { return nil }
        if passivePrepositions.contains(participle), tokens[..<index].contains(where: { ArchitectLexicon.eachWords.contains($0.word ?? "") }),
           tokens[index + 1].word == "one", tokens[index + 2].word != "of" {
            return (ClauseMarker(participle, .belongsTo), 1) // "each product from one supplier"
        }
        guard participle.hasSuffix("ed") && participle.count > 4 || irregularParticiples.contains(participle) else { return nil }
        let articles: Set<String> = ["a", "an", "one", "the", "each", "every"]
        if participle == "assigned", let next = tokens[index + 1].word, articles.contains(next) {
            return (ClauseMarker("assigned", .userLink("assignee")), 1)
        }
        guard let preposition = tokens[index + 1].word, passivePrepositions.contains(preposition),
              let next = tokens[index + 2].word, articles.contains(next) else { return nil }
        return (ClauseMarker("\(participle) \(preposition)", .belongsTo), 2)
    }

    /// Particles of phrasal verbs that stand between a participle and its preposition ("written
    /// up for", "drawn up against", "signed off by").
    static let phrasalParticles: Set<String> = ["up", "out", "off", "down", "over", "back"]

    /// A passive verb phrase not listed among the markers: "is/are/gets + participle (+ particle)
    /// + preposition" ("lessons are booked for a learner", "samples are kept in a freezer",
    /// "inspections are written up for a hive") — the object is the subject's parent.
    static func passive(in tokens: [DescriptionToken], at index: Int) -> (marker: ClauseMarker, length: Int)? {
        if let terse = terseParticiple(in: tokens, at: index) { return terse }
        guard index + 3 < tokens.count, let auxiliary = tokens[index].word, ["is", "are", "get", "gets", "be"].contains(auxiliary),
              let participle = tokens[index + 1].word, participle.hasSuffix("ed") && participle.count > 4 || irregularParticiples.contains(participle) else { return nil }
        let particle = tokens[index + 2].word.flatMap { phrasalParticles.contains($0) ? $0 : nil }
        let prepositionIndex = index + (particle == nil ? 2 : 3)
        guard prepositionIndex + 1 < tokens.count, let preposition = tokens[prepositionIndex].word, passivePrepositions.contains(preposition),
              let next = tokens[prepositionIndex + 1].word, !objectPronouns.contains(next) else { return nil }
        let words = [auxiliary, participle] + (particle.map { [$0] } ?? []) + [preposition]
        return (ClauseMarker(words.joined(separator: " "), .belongsTo), words.count)
    }
}
