import Shared

/// The words the Product Architect understands, grouped by what they tell it. Every list is
/// documented in `docs/architect.md`; all words are lowercase.
enum ArchitectLexicon {
    /// Words that single out one row at a time ("each ticket", "for every appearance").
    static let eachWords: Set<String> = ["each", "every"]
    /// Words that carry no meaning at the start of a noun phrase.
    static let determiners: Set<String> = [
        "a", "an", "the", "each", "every", "all", "any", "its", "their", "his", "her", "our",
        "my", "your", "this", "these", "those", "also", "just", "only", "both", "own", "new",
        "existing", "different", "other", "certain", "specific", "such", "then",
        "various", "basic", "simple", "individual", "single", "actual", "corresponding",
    ]

    /// Quantifiers that make a noun phrase a collection ("many tags", "a list of notes").
    static let collectionWords: Set<String> = [
        "many", "multiple", "several", "numerous", "lots", "lot", "list", "set", "collection",
        "some", "more", "unlimited",
    ]

    /// Words that name fields, never entities, in a list of what an application keeps.
    static let fieldWords: Set<String> = [
        "name", "title", "address", "email", "phone", "size", "colour", "color", "code", "reference",
        "number", "label", "url", "link", "slug", "sku", "surname", "first_name", "last_name", "full_name",
        "postcode", "zip", "city", "country", "street", "weight", "length", "width", "height",
    ]

    /// Endings of nouns that name people by what they do ("dispatcher", "harbourmaster", "carer").
    static let agentEndings: [String] = ["er", "or", "ist", "ian", "ant", "ier", "eer", "ee", "master", "man", "woman", "person"]
    /// Nouns with those endings that name things ("order", "register", "monitor").
    static let thingsWithAgentEndings: Set<String> = [
        "order", "number", "register", "folder", "paper", "computer", "trailer", "container", "poster",
        "letter", "charter", "voucher", "meter", "filter", "water", "timer", "counter", "calendar",
        "ledger", "tender", "matter", "corner", "cover", "banner", "sticker", "marker", "server",
        "router", "printer", "scanner", "monitor", "sensor", "motor", "tractor", "door", "floor",
        "color", "colour", "error", "factor", "elevator", "vector", "indicator", "calculator",
        "generator", "radiator", "simulator", "restaurant", "warrant", "variant", "plant", "grant",
        "chapter", "quarter", "header", "footer", "layer", "trigger", "reminder", "newsletter",
        "parameter", "barrier", "carrier", "supplier", "dossier", "tier", "pier", "fee", "coffee", "scooter",
        "speaker", "cylinder", "hanger", "shutter", "drawer", "tanker", "roller", "blender", "cluster",
        "committee", "human", "german", "plan", "woman", "manner", "dinner", "buzzer", "roster",
        "locker", "hamper", "freezer", "heater", "boiler", "cooler", "charger", "adapter", "binder",
        "planter", "sampler", "transfer", "offer", "answer", "member", "corridor",
        "mirror", "harbour", "harbor", "flavour", "flavor", "behaviour", "favour", "labour",
        "tenor", "anchor", "liquor", "major", "minor", "doctor", "actor", "mentor", "tutor",
        "checklist", "playlist", "wishlist", "shortlist", "waitlist", "setlist", "tracklist",
        "tower", "power", "flower", "shower", "river", "summer", "winter", "silver", "border", "weather",
    ]

    /// Whether a noun names people by what they do: a person word ending that is not a thing.
    static func isAgentNoun(_ word: String) -> Bool {
        let singular = EnglishInflection.singular(word)
        guard singular.count > 4, !thingsWithAgentEndings.contains(singular) else { return false }
        return agentEndings.contains { singular.hasSuffix($0) }
    }

    /// Whether a noun (either number) names people: a person word or a noun of what people do.
    static func namesPeople(_ word: String) -> Bool {
        personWords.contains(EnglishInflection.singular(word)) || isAgentNoun(word)
    }

    /// Nouns of people without a person word's ending ("guardian", "vet", "resident").
    static let otherPersonNouns: Set<String> = [
        "guardian", "vet", "resident", "tenant", "recipient", "donor", "learner", "pupil", "athlete", "passenger",
        "traveller", "traveler", "spouse", "relative", "kin", "parishioner", "claimant", "policyholder", "beneficiary",
        "household", "family",
    ]

    /// Counts and approximations before a noun ("about 300 members", "six instructors").
    static let numberWords: Set<String> = [
        "about", "around", "approximately", "roughly", "over", "under", "nearly", "almost", "up", "to",
        "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "hundreds", "thousand", "thousands", "dozen", "dozens",
    ]

    /// Plural words that modify a noun ("sales reps", "goods received").
    static let pluralModifiers: Set<String> = ["sales", "goods", "news", "savings", "customs", "arms", "clothes", "glasses", "series", "species", "means", "accounts", "sports", "parts", "works", "operations", "events", "communications", "services", "systems", "resources", "materials", "claims"]

    /// Words that make a phrase exactly one thing ("a company", "one owner").
    static let singleWords: Set<String> = ["a", "an", "one", "single"]

    /// Modal and filler words between a subject and its verb ("sales reps can only see …").
    static let modals: Set<String> = [
        "can", "could", "may", "might", "must", "should", "will", "would", "shall", "cannot",
        "only", "also", "to", "able", "be", "allowed", "just", "always", "usually", "then",
        "each", "all", "both", "do", "does", "not", "never", "additionally",
    ]

    /// Past participles that do not end in -ed ("seen", "held").
    static let irregularParticiples: Set<String> = [
        "seen", "done", "given", "taken", "made", "written", "sent", "paid", "known", "shown", "met", "held",
        "read", "got", "gotten", "won", "lost", "set", "run", "kept", "brought", "bought", "sold", "told",
    ]

    /// Words that negate a permission ("customers cannot delete tickets").
    static let negations: Set<String> = ["not", "cannot", "never", "no"]

    /// Words that end a clause's subject when looking back from its verb.
    static let boundaries: Set<String> = ["and", "or", "but", "while", "whereas", "plus"]

    /// Relative words: a clause that starts with one is about the noun just before it.
    static let relatives: Set<String> = ["which", "that", "who", "whose", "where"]

    /// Words after which a field phrase is cut ("an owner who …", "a price in dollars"); a subject
    /// pronoun starts a relative clause without "that" ("the fee we paid them", "the segment they
    /// were in").
    static let phraseStops: Set<String> = Set([
        "who", "which", "that", "where", "when", "whose", "if", "so", "because", "in", "per",
        "for", "from", "via", "using", "like", "such", "is", "are", "was", "were", "will",
        "should", "must", "can", "e", "eg", "ie", "etc",
    ]).union(subjectPronouns)

    /// Pronouns that can be the subject of a clause.
    static let subjectPronouns: Set<String> = ["i", "we", "you", "they", "he", "she"]

    /// Nouns and pronouns that name the application itself, or whoever asks for it.
    static let applicationWords: Set<String> = [
        "app", "apps", "application", "applications", "system", "systems", "platform", "tool",
        "tools", "site", "website", "web", "webapp", "portal", "service", "software", "program",
        "solution", "crm", "erp", "backend", "api", "saas", "tracker", "database", "helpdesk",
        "blog", "shop", "webshop", "marketplace", "inventory", "lms", "cms", "intranet", "clinic",
        "hospital", "practice", "school", "restaurant", "hotel", "gym", "agency", "dashboard",
        "i", "we", "you", "me", "us", "build", "create", "make", "develop", "design", "implement",
        "need", "want", "like", "please", "help", "there", "it", "something", "mvp", "prototype",
        "hr", "e-commerce", "ecommerce", "management", "club", "studio", "surgery", "firm", "business",
        "charity", "salon",
    ]

    /// Pronouns that name whoever writes or reads the description.
    static let pronouns: Set<String> = ["i", "we", "you", "me", "us", "it", "they", "them"]

    /// Nouns ending in "-ly" that are not adverbs.
    static let nounsEndingInLy: Set<String> = [
        "assembly", "supply", "family", "rally", "reply", "anomaly", "monopoly", "butterfly", "dragonfly",
        "jelly", "belly", "ally", "lily", "bully", "italy", "poly", "melee", "trolley", "gully", "doily",
    ]

    /// Whether a word is an adverb ("properly", "regularly"): no entity's name ends in one.
    static func isAdverb(_ word: String) -> Bool {
        word.hasSuffix("ly") && word.count > 5 && !nounsEndingInLy.contains(word) && !frequencyWords.contains(word)
    }

    /// Whether a word is a participle used as an adjective before a thing's name ("an accepted
    /// quote", "granted permits"): the state of a row, not another kind of thing.
    static func isParticipleAdjective(_ word: String) -> Bool {
        word.hasSuffix("ed") && word.count > 5 && !nounsEndingInEd.contains(word)
    }

    /// Nouns ending in "-ed" that are not participles.
    static let nounsEndingInEd: Set<String> = ["hundred", "seabed", "flowerbed", "watershed", "homestead", "seaweed", "bobsled"]

    /// Adverbs of time that do not end in "-ly" ("now has over two hundred members"): never a thing.
    static let timeAdverbs: Set<String> = ["now", "today", "currently", "soon", "later", "already", "still", "often", "sometimes", "recently", "ever", "never"]

    /// Frequencies before a thing's name ("daily care notes" are `care_note`s).
    static let frequencyWords: Set<String> = ["daily", "weekly", "monthly", "quarterly", "annual", "yearly", "nightly", "hourly"]

    /// Verbs of asking for the application ("build", "need"): a subject with one is the request.
    static let requestWords: Set<String> = ["build", "create", "make", "develop", "design", "implement", "need", "want", "like", "please", "help"]

    /// Words that never name an entity: features, vague words, the application itself.
    static let nonEntityWords: Set<String> = [
        "thing", "things", "stuff", "something", "anything", "everything", "nothing", "data",
        "info", "information", "feature", "features", "way", "ways", "lot", "lots", "business",
        "it", "them", "they", "one", "ones", "part", "parts", "kind", "kinds", "type", "types",
        "sort", "support", "ability", "option", "options", "functionality", "screen", "screens",
        "page", "pages", "ui", "interface", "login", "logins", "signup", "authentication",
        "auth", "dashboard", "dashboards", "report", "reports", "reporting", "analytics",
        "search", "notification", "notifications", "export", "exports", "import", "imports",
        "integration", "integrations", "access", "permission", "permissions", "role", "roles",
        "good", "cool", "nice", "great", "record", "records", "entry", "entries", "detail",
        "details", "field", "fields", "everyone", "anyone", "all", "etc", "time", "work",
        "management", "tracking", "app", "application", "system", "platform", "tool", "site",
        "website", "portal", "service", "software", "crm", "erp", "api", "backend", "database",
        "me", "us", "you", "we", "i", "own", "theirs", "themselves", "more", "much", "best",
        "entity", "entities", "object", "objects", "model", "models", "table", "tables",
    ]

    /// Vague words that name an entity in a compound or as what a clause is about ("time
    /// entries", "Pages belong to a space"), singular.
    static let domainNouns: Set<String> = [
        "page", "table", "part", "service", "application", "object", "signup", "entry", "record", "report",
        "detail", "model", "option", "session", "order", "note", "log", "item", "type",
    ]

    /// Heads of fields that take values, not fields ("a stage (lead, won, lost)", "status
    /// open/closed").
    static let valueHeads: Set<String> = [
        "type", "kind", "category", "size", "level", "mode", "method", "colour", "color", "grade", "tier", "plan",
        "class", "format", "channel", "source", "unit", "gender", "sex", "role", "band", "shift", "status", "stage",
        "priority", "severity", "state", "phase", "condition", "payment",
    ]

    /// Words of an application's features: a compound with one is no entity ("login page").
    static let featureWords: Set<String> = [
        "login", "logins", "signin", "dashboard", "search", "notification", "notifications", "analytics",
        "reporting", "export", "import", "integration", "authentication", "auth", "ui", "interface",
        "screen", "landing", "admin", "settings", "profile", "home", "error", "status",
    ]

    /// Plural words that are fields, not collections of child entities ("notes", "hours").
    static let pluralFieldWords: Set<String> = [
        "notes", "details", "instructions", "requirements", "hours", "minutes", "days", "years",
        "months", "weeks", "seconds", "specs", "specifications", "remarks", "symptoms",
        "allergies", "medications", "keywords", "credentials", "preferences", "settings",
        "terms", "contents", "comments_text", "attachments_url", "ingredients_text", "lyrics",
        "directions", "benefits", "responsibilities", "qualifications", "goals",
    ]

    /// Fields that hold the id of a user of the generated application (a `string`).
    static let userFieldWords: Set<String> = [
        "owner", "assignee", "assigned_to", "created_by", "creator", "reporter", "requester",
        "approver", "reviewer", "updated_by", "owned_by", "approved_by", "submitted_by",
    ]

    /// Nouns for people: a plural subject ending in one of these, with a permission verb, is a role.
    static let personWords: Set<String> = [
        "admin", "administrator", "superuser", "superadmin", "sysadmin", "manager", "supervisor",
        "director", "head", "agent", "rep", "representative", "salesperson", "user", "member",
        "customer", "client", "doctor", "physician", "nurse", "dentist", "therapist",
        "receptionist", "patient", "employee", "staff", "owner", "author", "editor", "writer",
        "reviewer", "viewer", "guest", "visitor", "teacher", "instructor", "tutor", "student",
        "accountant", "clerk", "cashier", "operator", "technician", "engineer", "developer",
        "designer", "analyst", "auditor", "coordinator", "moderator", "contributor", "subscriber",
        "volunteer", "recruiter", "candidate", "applicant", "seller", "buyer", "driver",
        "dispatcher", "pharmacist", "landlord", "parent", "coach", "trainer", "approver",
        "requester", "reporter", "assignee", "partner", "consultant", "freelancer", "contractor",
        "attendee", "organizer", "host", "mentor", "person", "lawyer", "worker", "librarian",
        "caretaker", "caregiver", "player", "lecturer", "professor", "officer",
        "hr", "leader", "lead", "observer", "reader", "captain", "mechanic", "medic",
    ]

    /// Nouns of a group of people that act as one role when they are given rights ("the IT team
    /// manages assets", "the committee can see everything").
    static let groupsOfPeople: Set<String> = ["team", "committee", "board", "crew", "department", "desk"]

    /// Role names that always get full access to everything.
    static let administratorWords: Set<String> = [
        "admin", "administrator", "superuser", "superadmin", "super_admin", "sysadmin", "root",
    ]



    /// Labels that introduce a list of roles ("Roles: admin, agent").
    static let roleLabels: Set<String> = ["role", "roles", "user_role", "user_roles", "user_type", "user_types", "user_group", "user_groups"]

    /// Labels that introduce a list of entities ("Entities: contacts, deals").
    static let entityLabels: Set<String> = ["entity", "entities", "object", "objects", "model", "models", "table", "tables", "data_model", "resource_type", "resource_types"]

    /// Reserved field names: implied on every entity, never listed.
    static let impliedFields = GuidedFormValidator.impliedFields

    /// Words that mean "every entity" in a permission ("managers see everything").
    static let everythingWords: Set<String> = ["everything", "anything", "all", "every", "whole", "entire"]

    /// Words that limit a permission to the user's own rows.
    static let ownWords: Set<String> = ["own", "their", "theirs", "his", "her", "my", "mine"]
}
