import Shared

/// The state of reading one description.
struct DescriptionReading {
    /// What has been read so far.
    var draft: DraftSpec
    /// The sentences, groups with verbs moved out (as the clauses number them).
    let sentences: [[DescriptionToken]]
    /// Every clause, in order.
    let clauses: [Clause]
    /// What each clause's subject is, parallel to `clauses`.
    var subjects: [ClauseSubject] = []
    /// "X has many Y" facts, as (X, Y).
    var manyOf: [(String, String)] = []
    /// Field lists in parentheses after entities.
    var listedFields: [(String, [DescriptionToken])] = []
    /// The sentences that gave something: an entity, a field, a role, a relation or a permission.
    var usedSentences: Set<Int> = []
    /// Links between entities written with groups ("customers (…) own vehicles (…)"): the child
    /// refers to the parent.
    var groupLinks: [(child: String, parent: String)] = []

    /// Tokenizes a description and cuts it into clauses; sentences that say which data is personal
    /// ("patients' contact details are personal data") are read by `PersonalDataStatement` alone,
    /// yes/no questions become one field's name (`YesNoQuestions`), and sentences of a verb it does not know are rewritten by `VerbSentences` first (what they
    /// split off follows the description's own sentences, so that those keep their numbers).
    init(description: String, title: String) {
        let splitter = ClauseSplitter()
        let tokenized = DescriptionTokenizer().sentences(description).filter { sentence in
            PersonalDataStatement.statement(in: sentence) == nil
        }.map(YesNoQuestions.rewrite)
        let nounsInText = VerbSentences.nounsAfterArticles(tokenized)
        let rewrites = tokenized.map { VerbSentences.rewrite($0, nounsInText: nounsInText) }
        let raw = rewrites.map(\.sentence) + rewrites.flatMap(\.extra)
        draft = DraftSpec(title: title)
        sentences = splitter.expandGroups(raw.map(splitter.rewritePhrases))
        clauses = splitter.clauses(in: raw)
    }

    /// The names of the entities found so far.
    var entityNames: [String] { draft.entities.map(\.name) }
    /// A matcher over the entities found so far.
    var matcher: EntityNameMatcher { EntityNameMatcher(names: entityNames) }

    /// Runs every pass.
    mutating func run() {
        classifySubjects()
        collectRoles()
        collectGroupedEntities()
        collectEntities()
        collectFields()
        collectPartitives()
        collectSelfReferences()
        collectManyMentions()
        collectManyToMany()
        collectNamedJoins()
        collectCompoundChildren()
        if draft.entities.isEmpty { addNamedArchetypes() }
        if draft.entities.isEmpty { addDomainEntities() }
        draft.entities.sort { $0.position < $1.position }
        collectUnrecognized()
    }

    // MARK: Subjects

    /// Pass 2: what each clause's subject is; empty subjects continue the previous clause's,
    /// pronouns point back at the previous sentence's.
    mutating func classifySubjects() {
        var previous = ClauseSubject.ignored
        var lastOfEarlierSentences = ClauseSubject.ignored
        for (index, clause) in clauses.enumerated() {
            if index > 0, clauses[index - 1].sentence != clause.sentence, previous != .ignored, previous != .application {
                lastOfEarlierSentences = previous
            }
            let subject: ClauseSubject
            if clause.subject.isEmpty {
                subject = clause.startsSentence ? .application : previous
            } else if clause.subject.count == 1, ["they", "it", "these", "those", "each", "both", "he", "she"].contains(clause.subject[0]) {
                subject = clause.startsSentence ? lastOfEarlierSentences : previous
            } else {
                subject = Self.namingCompounds(classify(clause), before: subjects)
            }
            subjects.append(subject)
            if subject != .ignored { usedSentences.insert(clause.sentence) }
            previous = subject
        }
    }

    /// A subject of one word that is the head of exactly one compound an earlier subject named
    /// ("every equipment item sits in one shop. Items have a barcode" → `equipment_item`).
    static func namingCompounds(_ subject: ClauseSubject, before earlier: [ClauseSubject]) -> ClauseSubject {
        guard case .entities(let names) = subject else { return subject }
        let named = earlier.flatMap { earlier -> [String] in
            if case .entities(let names) = earlier { return names }
            return []
        }
        return .entities(names.map { name in
            guard !name.contains("_"), !named.contains(name) else { return name }
            if let initialled = EntityNameMatcher.entity(initialled: [name], among: named) { return initialled } // "each WO runs on …"
            let compounds = Set(named.filter { $0.hasSuffix("_" + name) })
            return compounds.count == 1 ? compounds.first ?? name : name
        })
    }

    /// What one clause's own subject is.
    func classify(_ clause: Clause) -> ClauseSubject {
        var words = clause.subject.filter { !ArchitectLexicon.timeAdverbs.contains($0) } // "bookings now have …"
        if !clause.startsSentence, words.first.map(Self.statementConnectives.contains) == true { words.removeFirst() } // "…, so each appearance has …"
        if clause.marker.kind == .label {
            let label = EnglishInflection.snakeCase(words)
            if ArchitectLexicon.roleLabels.contains(label) { return .roleList }
            if ArchitectLexicon.entityLabels.contains(label) { return .entityList }
            if ArchitectLexicon.userFieldWords.contains(label) { return .ignored }
        }
        let grants = clause.marker.kind == .permits || clause.marker.kind == .tracks
        let headIsPerson = words.last.map { ArchitectLexicon.namesPeople($0) || grants && ArchitectLexicon.groupsOfPeople.contains($0) } ?? false
        if clause.isLeading {
            guard let prefix = bestPrefix(words) else { return .ignored }
            words = prefix
        }
        if clause.isRelative, clause.marker.kind == .has, let head = words.last, !ArchitectLexicon.applicationWords.contains(head) {
            words = bestSuffix(words)
        }
        let parentSplit = Self.forSplit(words)
        let ownWords = parentSplit.map { Array(words[..<$0]) } ?? words // "deliveries to a site": the site is the parent's
        if ownWords.contains(where: ArchitectLexicon.applicationWords.contains) && !headIsPerson && !namesApplicationsAsRecords(ownWords, in: clause)
            && !Self.isCompoundOfApplicationWord(ownWords) {
            return clause.marker.kind == .permits ? .ignored : .application
        }
        words = ownWords
        if let parentSplit, Self.isTimeUnit(ownWords) { words = Array(clause.subject[(parentSplit + 1)...]) } // "every day on a site gets …": the site
        if clause.marker.kind == .label, Self.entityName(words, asSubject: true) == nil || listsEntities(clause) { return .application }
        if clause.isRelative { words = bestSuffix(words) }
        let verbs: Set<String> = ["is", "are", "was", "were", "be", "been", "if", "when", "there", "here", "what", "how", "why"]
        if words.count > 4 || words.contains(where: verbs.contains) { return .ignored }
        let phrases = clause.isRelative ? [words] : clause.coSubjects + [words]
        switch clause.marker.kind {
        case .permits:
            let roles = phrases.compactMap { isRoleLike($0, strict: false) ? RoleNames.name(from: $0) : nil }
            return roles.count == phrases.count && !roles.isEmpty ? .roles(roles) : .ignored
        case .tracks where phrases.allSatisfy({ isRoleLike($0, strict: !Self.grantsEverything(clause) && !Self.isSingularManager($0, in: clause)) }),
             .has where clause.marker.isRecording && phrases.allSatisfy({ isRoleLike($0, strict: true) }):
            return .roles(phrases.compactMap(RoleNames.name(from:)))
        default:
            let names = phrases.compactMap { Self.entityName($0, asSubject: [.has, .label, .belongsTo, .links].contains(clause.marker.kind)) }
            return names.isEmpty ? .ignored : .entities(names)
        }
    }

    /// Whether a subject of the word "application" names records people file, not the
    /// application being built: plural or compound ("loan applications record the member",
    /// "applications: the applicant, the permit type, submitted at"), or singular with typed
    /// fields ("an application has an applied on date and a stage: new, screening or hired").
    ///
    /// Any other plural of such a word with fields is an entity too ("charities have a name").
    func namesApplicationsAsRecords(_ words: [String], in clause: Clause) -> Bool {
        guard let head = words.last, [.has, .label, .belongsTo, .links].contains(clause.marker.kind) || clause.marker.isRecording,
              !ArchitectLexicon.pronouns.contains(head) else { return false }
        guard EnglishInflection.singular(head) == "application" else {
            return EnglishInflection.isPlural(head) && ArchitectLexicon.applicationWords.contains(EnglishInflection.singular(head)) && words.count <= 2
        }
        if words.count > 1 || EnglishInflection.isPlural(head) { return true }
        return NounPhraseList.parse(clause.object).contains { item in
            item.hasValues || (FieldTypeRules.field(from: item.words).type ?? FieldTypeRules.type(forName: EnglishInflection.snakeCase(item.words))) != .string
        }
    }

    /// Whether a short plural phrase only uses an application word as a modifier ("site
    /// inspections", "shop orders"): the head names the things.
    static func isCompoundOfApplicationWord(_ words: [String]) -> Bool {
        guard let head = words.last, words.count <= 3, EnglishInflection.isPlural(head),
              !ArchitectLexicon.applicationWords.contains(head), !ArchitectLexicon.applicationWords.contains(EnglishInflection.singular(head)) else { return false }
        return words.filter(ArchitectLexicon.applicationWords.contains).allSatisfy { word in
            !ArchitectLexicon.pronouns.contains(word) && !ArchitectLexicon.requestWords.contains(word)
        }
    }

    /// Whether a clause's object is "everything" ("the principal manages everything"): its subject
    /// can only be people.
    static func grantsEverything(_ clause: Clause) -> Bool {
        clause.object.first?.word.map(ArchitectLexicon.everythingWords.contains) == true && clause.object.count <= 2
    }

    /// Whether one singular subject manages the things after it ("the secretary manages members
    /// and courts", "reception manages owners and dogs"): things are managed by people.
    static func isSingularManager(_ words: [String], in clause: Clause) -> Bool {
        guard let head = words.last, !EnglishInflection.isPlural(head), words.count <= 2, clause.startsSentence || !clause.subject.isEmpty else { return false }
        return NounPhraseList.parse(clause.object).contains { $0.isPlural }
    }

    /// Whether a singular label heads a list of entities ("A kayak hire kiosk: kayaks (colour,
    /// seats), paddlers (name, email)"): two or more plural items, or items with field groups.
    func listsEntities(_ clause: Clause) -> Bool {
        let own = Self.forSplit(clause.subject).map { Array(clause.subject[..<$0]) } ?? clause.subject // "exercise plans per client: …"
        guard let head = own.last, !EnglishInflection.isPlural(head) else { return false }
        let items = NounPhraseList.parse(clause.object)
        let entityLike = items.filter { item in
            let fieldsGroup = item.group.map { NounPhraseList.groupParts($0).count >= 2 && FieldTypeRules.hintedType(NounPhraseList.groupParts($0)) == nil } == true
            return fieldsGroup && !(item.words.last.map(ArchitectLexicon.valueHeads.contains) ?? false) // not "method (card, cash)", "paid (yes/no)"
                || item.isPlural && Self.entityName(item.words) != nil
        }
        return entityLike.count >= 2 && entityLike.count * 2 >= items.count
    }

    /// The longest suffix of a relative subject that names an entity ("customers place orders" →
    /// orders); two words with a singular first word are one compound ("consultation notes").
    func bestSuffix(_ words: [String]) -> [String] {
        if words.count == 2, !EnglishInflection.isPlural(words[0]), !ArchitectLexicon.determiners.contains(words[0]),
           Self.entityName(words, asSubject: true) != nil {
            return words
        }
        for length in stride(from: min(3, words.count), through: 1, by: -1) {
            let suffix = Array(words.suffix(length))
            let name = EnglishInflection.singularName(suffix)
            if entityNames.contains(name) || EntityArchetypes.archetype(named: name) != nil { return suffix }
        }
        return words.last.map { [$0] } ?? []
    }

    /// The longest prefix of a sentence's opening words that names a known entity or archetype.
    func bestPrefix(_ words: [String]) -> [String]? {
        for length in stride(from: min(3, words.count), through: 1, by: -1) {
            let prefix = Array(words.prefix(length))
            let name = EnglishInflection.singularName(prefix)
            if entityNames.contains(name) || EntityArchetypes.archetype(named: name) != nil { return prefix }
        }
        return nil
    }

    /// Whether a phrase names people who could be a role.
    func isRoleLike(_ words: [String], strict: Bool) -> Bool {
        guard let last = words.last.map(EnglishInflection.singular), words.count <= 3 else { return false }
        if ArchitectLexicon.namesPeople(last) || ArchitectLexicon.groupsOfPeople.contains(last) { return true } // "the IT team manages …"
        if let name = RoleNames.name(from: words), draft.roleNames.contains(name) { return true }
        if strict { return false }
        let name = EnglishInflection.singularName(words)
        return EntityArchetypes.archetype(named: name) == nil && !ArchitectLexicon.nonEntityWords.contains(last)
            && Self.entityName(words) != nil
    }

    /// An entity name from an item of the application's list: at most two words, or an archetype;
    /// never a word that names a field ("a title, a date and a fee").
    static func listedEntityName(_ words: [String], asSubject: Bool = false) -> String? {
        guard let name = entityName(words, asSubject: asSubject) else { return nil }
        if EntityArchetypes.archetype(named: name) == nil, FieldTypeRules.type(forName: name) != .string || ArchitectLexicon.fieldWords.contains(name) {
            return nil
        }
        return name.split(separator: "_").count <= 2 || EntityArchetypes.archetype(named: name) != nil ? name : nil
    }

    /// An entity name from a noun phrase; nil for vague, application or feature words. Counts,
    /// frequencies and participles are dropped ("about 300 members" → `member`, "granted permits"
    /// → `permit`) and a plural before the head ends the phrase
    /// ("learners register" → `learner`: nouns modifying a noun are singular, "order items").
    ///
    /// Domain nouns that are also vague words (page, table, report, entry, service …) name an
    /// entity in a compound ("time entries", "damage reports") and, alone, when the phrase is what
    /// a clause is about (`asSubject`: "Pages belong to a space").
    static func entityName(_ words: [String], asSubject: Bool = false) -> String? {
        var words = words.enumerated().filter { index, word in
            let others = words.filter { !ArchitectLexicon.determiners.contains($0) && $0 != word && $0 != "of" }
            let quantifies = !NounPhrase.nounsOfCollections.contains(word) || words.dropFirst(index + 1).first == "of" || others.isEmpty // "a list of notes", not "a price list"
            let history = NounPhrase.nounsOfHistories.contains(word) && words.dropFirst(index + 1).first == "of" // "a history of visits"
            return !ArchitectLexicon.determiners.contains(word) && !(ArchitectLexicon.collectionWords.contains(word) && quantifies) && !history && word != "of"
        }.map(\.element)
        if words.count > 1, let first = words.first, ArchitectLexicon.frequencyWords.contains(first) || ArchitectLexicon.isParticipleAdjective(first) {
            words.removeFirst()
        }
        words = Array(words.drop { ArchitectLexicon.numberWords.contains($0) || $0.allSatisfy(\.isNumber) })
        if let plural = words.dropLast().firstIndex(where: { EnglishInflection.isPlural($0) && !ArchitectLexicon.pluralModifiers.contains($0) }) {
            words = Array(words[...plural])
        }
        guard let last = words.last, (1...3).contains(words.count), !ArchitectLexicon.isAdverb(last), !ArchitectLexicon.timeAdverbs.contains(last) else { return nil }
        let head = EnglishInflection.singular(last)
        let contactHead = [.email, .phone].contains(FieldTypeRules.type(forName: head)) // "client office phones", "accounts emails"
        if words.count >= 2, contactHead || !(asSubject && EnglishInflection.isPlural(last)), ["name", "email", "phone", "address", "date", "mobile", "surname"].contains(head) || contactHead || [.date, .datetime].contains(FieldTypeRules.type(forName: head)) {
            return nil // "client names", "install date": fields of something, unless what a clause is about ("key dates belong to …"); a way to reach someone never is
        }
        let domainNoun = ArchitectLexicon.domainNouns.contains(head) && (words.count > 1 || asSubject)
            && !words.dropLast().contains(where: ArchitectLexicon.featureWords.contains)
        if !domainNoun, ArchitectLexicon.nonEntityWords.contains(last) || ArchitectLexicon.nonEntityWords.contains(head) { return nil }
        if words.contains(where: { ArchitectLexicon.phraseStops.contains($0) || ArchitectLexicon.negations.contains($0) }) { return nil }
        let name = EnglishInflection.singularName(words)
        guard EnglishInflection.isValidName(name), domainNoun || !ArchitectLexicon.nonEntityWords.contains(name),
              !ArchitectLexicon.applicationWords.contains(name) || name == "inventory_item" || domainNoun
                || asSubject && EnglishInflection.isPlural(last) else { return nil }
        return name
    }

    // MARK: Roles

    /// The clauses whose subjects are roles and whose verbs grant rights.
    var roleClauses: [RoleStatementReader.RoleClause] {
        zip(clauses, subjects).compactMap { clause, subject in
            guard case .roles(let roles) = subject, clause.marker.kind == .permits || clause.marker.kind == .tracks || clause.marker.isRecording else { return nil }
            return RoleStatementReader.RoleClause(roles: roles, clause: clause)
        }
    }

    /// Pass 3: role names from role subjects, "Roles: …" lists and roles named inside permissions.
    mutating func collectRoles() {
        for (clause, subject) in zip(clauses, subjects) {
            switch subject {
            case .roles(let roles):
                for role in roles where !draft.roleNames.contains(role) { draft.roleNames.append(role) }
            case .roleList:
                for item in NounPhraseList.parse(clause.object) {
                    if let role = RoleNames.name(from: item.words), !draft.roleNames.contains(role) { draft.roleNames.append(role) }
                }
            default:
                break
            }
        }
        let reading = RoleStatementReader(matcher: EntityNameMatcher(names: []), knownRoles: draft.roleNames).read(roleClauses)
        for role in reading.roleNames where !draft.roleNames.contains(role) { draft.roleNames.append(role) }
    }

    // MARK: Entities

    /// Pass 4: entities from application lists, subjects, parents, collections and permissions;
    /// then the permission statements, once every entity is known.
    mutating func collectEntities() {
        for (clause, subject) in zip(clauses, subjects) {
            switch subject {
            case .application, .entityList:
                guard [.has, .tracks, .label].contains(clause.marker.kind) else { continue }
                for item in NounPhraseList.parse(clause.object) where !item.hasValues {
                    if let name = Self.listedEntityName(item.words) { draft.addEntity(name, position: item.position) }
                }
            case .entities(let names):
                for name in names { draft.addEntity(name, position: clause.position) }
                if let parent = subjectParent(clause).flatMap(parentEntity) { draft.addEntity(parent, position: clause.position + 1) }
                if clause.marker.kind == .links { addLinkedEntities(clause) }
                if clause.marker.kind == .belongsTo, !parentIsAnotherRow(clause, of: names) {
                    for item in Self.parentsAndFields(clause.object).parents where !Self.isSelfReference(item.words, to: names) {
                        guard let parent = parentEntity(item) else { continue }
                        draft.addEntity(parent, position: item.position)
                        if let group = item.group, NounPhraseList.listsFields(group: group) {
                            listedFields.append((parent, group)) // "taught by a lecturer (name, email, office)"
                        }
                    }
                }
            default:
                break
            }
        }
        for (index, (clause, subject)) in zip(clauses, subjects).enumerated() {
            guard case .entities(let names) = subject, [.has, .tracks, .label].contains(clause.marker.kind) else { continue }
            for item in objectItems(ofClause: index) {
                if let parent = singleParentWithFields(item, in: clause), parent != names[0] {
                    draft.addEntity(parent, position: item.position) // "each booking gets one game master (name, mobile)"
                    if let group = item.group { listedFields.append((parent, group)) }
                    continue
                }
                switch meaning(of: item, in: names[0]) {
                case .collection(let child): draft.addEntity(child, position: item.position)
                case .reference(_, let target): draft.addEntity(target, position: item.position)
                default: break
                }
            }
        }
        let matcher = EntityNameMatcher(names: entityNames, includesArchetypes: true)
        let reading = RoleStatementReader(matcher: matcher, knownRoles: draft.roleNames).read(roleClauses)
        for (name, position) in reading.entities where !draft.roleNames.contains(name) || entityNames.contains(name) {
            draft.addEntity(name, position: position)
        }
        draft.roleStatements = RoleStatementReader(matcher: EntityNameMatcher(names: entityNames), knownRoles: draft.roleNames)
            .read(roleClauses).statements
    }

    /// Whether a phrase names another row of the subject itself ("a parent category" of a category).
    static func isSelfReference(_ words: [String], to subjects: [String]) -> Bool {
        guard words.count >= 2, selfReferenceWords.contains(words[0]) else { return false }
        return subjects.contains(EnglishInflection.singularName(Array(words.dropFirst())))
    }

    /// The parent entity of a "belongs to" object, unless it is a user (a role or a person word).
    func parentEntity(_ item: NounPhrase) -> String? {
        if let group = item.group, NounPhraseList.listsFields(group: group),
           (1...2).contains(item.words.count), case let name = EnglishInflection.singularName(item.words), EnglishInflection.isValidName(name) {
            return matcher.entity(for: item.words) ?? name // "held in one studio (name, floor)"
        }
        guard let name = Self.entityName(item.words) else { return nil }
        if let known = matcher.entity(for: item.words) { return known }
        if draft.roleNames.contains(RoleNames.canonical(name)) { return nil }
        if EntityArchetypes.archetype(named: name)?.isParent == true { return name }
        if let last = item.words.last, ArchitectLexicon.personWords.contains(EnglishInflection.singular(last)) { return nil }
        return name
    }

    // MARK: Fallbacks

    /// Plural archetype names anywhere ("contacts, companies and deals").
    mutating func addNamedArchetypes() {
        for (number, sentence) in sentences.enumerated() {
            let tokens = sentence.filter { $0.word != nil }
            let words = tokens.compactMap(\.word)
            for mention in EntityNameMatcher(names: [], includesArchetypes: true).mentions(in: words) {
                guard let last = words[mention.range].last, EnglishInflection.isPlural(last),
                      !draft.roleNames.contains(mention.name) else { continue }
                draft.addEntity(mention.name, position: tokens[mention.range.lowerBound].position)
                usedSentences.insert(number)
            }
        }
    }

    /// The usual entities of a kind of application named in the text ("Build a CRM").
    mutating func addDomainEntities() {
        guard let domain = ApplicationDomains.domain(in: sentences.flatMap(\.words)) else { return }
        usedSentences.formUnion(sentences.indices.filter { ApplicationDomains.domain(in: sentences[$0].words) != nil })
        for (offset, name) in domain.entities.enumerated() {
            draft.addEntity(name, position: offset, inferred: true)
        }
        draft.assumptions.append("No entities were named; assumed the usual entities of a \(domain.label): \(domain.entities.joined(separator: ", ")).")
    }
}
