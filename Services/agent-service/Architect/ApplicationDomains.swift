/// Kinds of application and the entities they usually have: used only when a description names
/// a kind of application but no entity at all ("Build a CRM"). The entities are then inferred.
enum ApplicationDomains {
    /// A kind of application.
    struct Domain: Sendable {
        /// The words that name it; each entry is a phrase of one or more words.
        let phrases: [[String]]
        /// A readable name for the assumption line.
        let label: String
        /// Its usual entities, in dependency order.
        let entities: [String]
    }

    /// Every domain, most specific first.
    static let all: [Domain] = [
        Domain(phrases: [["project", "management"], ["project", "tracker"], ["kanban"]], label: "project management tool", entities: ["project", "task"]),
        Domain(phrases: [["crm"], ["customer", "relationship"], ["sales", "pipeline"]], label: "CRM", entities: ["company", "contact", "deal"]),
        Domain(phrases: [["helpdesk"], ["help", "desk"], ["ticketing"], ["support", "desk"], ["service", "desk"], ["issue", "tracker"]], label: "helpdesk", entities: ["customer", "ticket"]),
        Domain(phrases: [["blog"], ["cms"], ["content", "management"]], label: "blog", entities: ["author", "post", "comment", "tag"]),
        Domain(phrases: [["inventory"], ["warehouse", "management"], ["stock", "management"]], label: "inventory system", entities: ["supplier", "product", "warehouse", "stock_movement"]),
        Domain(phrases: [["e-commerce"], ["ecommerce"], ["online", "shop"], ["webshop"], ["online", "store"], ["shop"]], label: "online shop", entities: ["customer", "product", "order", "order_item"]),
        Domain(phrases: [["booking"], ["reservation"], ["reservations"], ["bookings"]], label: "booking system", entities: ["customer", "resource", "reservation"]),
        Domain(phrases: [["clinic"], ["hospital"], ["medical", "practice"], ["patient", "management"]], label: "clinic", entities: ["patient", "appointment"]),
        Domain(phrases: [["hr"], ["human", "resources"], ["payroll"]], label: "HR system", entities: ["department", "employee", "leave_request"]),
        Domain(phrases: [["invoicing"], ["billing"], ["accounting"]], label: "invoicing system", entities: ["customer", "invoice", "payment"]),
        Domain(phrases: [["todo"], ["task", "list"], ["task", "manager"], ["todo", "list"]], label: "to-do app", entities: ["task"]),
        Domain(phrases: [["lms"], ["learning", "management"], ["school"], ["e-learning"]], label: "learning platform", entities: ["course", "student"]),
        Domain(phrases: [["event", "management"], ["events"]], label: "event management tool", entities: ["event"]),
        Domain(phrases: [["library"]], label: "library system", entities: ["book", "member"]),
    ]

    /// The first domain named in the words, if any.
    static func domain(in words: [String]) -> Domain? {
        for domain in all {
            for phrase in domain.phrases where contains(words, phrase) { return domain }
        }
        return nil
    }

    private static func contains(_ words: [String], _ phrase: [String]) -> Bool {
        guard words.count >= phrase.count else { return false }
        return (0...(words.count - phrase.count)).contains { start in
            Array(words[start..<(start + phrase.count)]) == phrase
        }
    }
}
