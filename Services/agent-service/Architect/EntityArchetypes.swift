import Shared

/// The catalogue of entity archetypes (see `docs/architect.md`, "Entity archetypes").
///
/// When a description names an entity without describing its fields ("a CRM with contacts and
/// deals"), the archetype's fields are used, each marked `inferred`. Links (`.link`) reference the
/// first candidate present in the spec; a `needed` link adds its first candidate as an inferred
/// entity when none is present (a comment needs something to comment on).
enum EntityArchetypes {
    /// Every archetype.
    static let all: [EntityArchetype] = [
        // Sales and customers
        EntityArchetype("contact", synonyms: ["person", "prospect"], person: true, parent: true, [
            .field("name", .string, required: true), .field("email", .email), .field("phone", .phone),
            .field("job_title", .string), .link(["company", "organization", "account"]),
        ]),
        EntityArchetype("company", synonyms: ["organization", "organisation", "firm"], parent: true, [
            .field("name", .string, required: true), .field("website", .string), .field("industry", .string),
            .field("phone", .phone),
        ]),
        EntityArchetype("deal", synonyms: ["opportunity"], [
            .field("title", .string, required: true), .field("amount", .money),
            .choice("stage", ["lead", "qualified", "proposal", "won", "lost"]), .field("close_date", .date),
            .link(["contact", "customer", "client"]), .link(["company", "organization", "account"]),
            .user("owner", required: true),
        ]),
        EntityArchetype("lead", person: true, [
            .field("name", .string, required: true), .field("email", .email), .field("phone", .phone),
            .field("source", .string), .choice("status", ["new", "contacted", "qualified", "disqualified"]),
            .user("owner", required: true),
        ]),
        EntityArchetype("customer", synonyms: ["client", "buyer", "guest"], person: true, parent: true, [
            .field("name", .string, required: true), .field("email", .email), .field("phone", .phone),
            .field("address", .string),
        ]),
        // Support
        EntityArchetype("ticket", synonyms: ["issue", "support_request", "case", "incident"], [
            .field("subject", .string, required: true), .field("description", .text),
            .choice("priority", ["low", "medium", "high"]), .choice("status", ["open", "pending", "resolved", "closed"]),
            .link(["customer", "contact", "client", "user"]), .user("assignee"),
        ]),
        // Commerce and inventory
        EntityArchetype("product", synonyms: ["item", "article_item", "good", "sku_item"], parent: true, [
            .field("name", .string, required: true), .field("sku", .string, required: true, unique: true),
            .field("price", .money), .field("description", .text),
            .link(["category"]), .link(["supplier", "vendor"]),
        ]),
        EntityArchetype("order", synonyms: ["purchase", "purchase_order", "sales_order"], parent: true, [
            .field("order_number", .string, required: true, unique: true),
            .choice("status", ["pending", "paid", "shipped", "delivered", "cancelled"]),
            .field("total", .money), .field("ordered_at", .datetime), .link(["customer", "client", "buyer"]),
        ]),
        EntityArchetype("order_item", synonyms: ["line_item", "order_line"], [
            .link(["order", "purchase_order"], needed: true), .link(["product", "item"], needed: true),
            .field("quantity", .int, required: true), .field("unit_price", .money, required: true),
        ]),
        EntityArchetype("invoice", synonyms: ["bill"], parent: true, [
            .field("invoice_number", .string, required: true, unique: true), .field("amount", .money, required: true),
            .choice("status", ["draft", "sent", "paid", "overdue"]), .field("issued_on", .date), .field("due_date", .date),
            .link(["customer", "client", "company", "contact"]), .link(["order"]),
        ]),
        EntityArchetype("payment", synonyms: ["transaction"], [
            .field("amount", .money, required: true), .field("paid_at", .datetime, required: true),
            .choice("method", ["card", "bank_transfer", "cash"]),
            .choice("status", ["pending", "completed", "failed", "refunded"]),
            .link(["invoice", "order", "booking", "reservation"]),
        ]),
        EntityArchetype("supplier", synonyms: ["vendor", "provider"], parent: true, [
            .field("name", .string, required: true), .field("email", .email), .field("phone", .phone),
            .field("contact_name", .string),
        ]),
        EntityArchetype("warehouse", synonyms: ["depot", "storage_location"], parent: true, [
            .field("name", .string, required: true), .field("address", .string),
        ]),
        EntityArchetype("stock_item", synonyms: ["inventory_item", "stock_level"], [
            .link(["product", "item"], needed: true), .link(["warehouse", "location"]),
            .field("quantity", .int, required: true), .field("reorder_level", .int),
        ]),
        EntityArchetype("stock_movement", synonyms: ["inventory_movement", "stock_transaction", "stock_transfer", "movement"], [
            .link(["product", "stock_item", "item"], needed: true), .link(["warehouse", "location"]),
            .field("quantity", .int, required: true), .choice("type", ["in", "out", "adjustment"]),
            .field("moved_at", .datetime, required: true),
        ]),
        EntityArchetype("category", synonyms: ["product_category"], parent: true, [
            .field("name", .string, required: true, unique: true), .field("description", .text),
        ]),
        EntityArchetype("tag", synonyms: ["label", "keyword"], [
            .field("name", .string, required: true, unique: true),
        ]),
        // Scheduling and bookings
        EntityArchetype("appointment", synonyms: ["visit", "consultation", "session"], [
            .field("scheduled_at", .datetime, required: true), .field("duration_minutes", .int),
            .choice("status", ["scheduled", "completed", "cancelled", "no_show"]), .field("notes", .text),
            .link(["patient", "customer", "client", "contact"]),
        ]),
        EntityArchetype("reservation", synonyms: ["booking"], [
            .field("start_at", .datetime, required: true), .field("end_at", .datetime, required: true),
            .choice("status", ["pending", "confirmed", "cancelled"]), .field("notes", .text),
            .link(["room", "resource", "table", "desk", "vehicle", "court", "equipment", "property"], needed: true),
            .link(["customer", "guest", "client", "patient", "member"]),
        ]),
        EntityArchetype("room", synonyms: ["meeting_room"], parent: true, [
            .field("name", .string, required: true), .field("capacity", .int), .field("location", .string),
        ]),
        EntityArchetype("resource", synonyms: ["asset", "equipment", "desk", "vehicle", "court"], parent: true, [
            .field("name", .string, required: true), .field("description", .text), .field("is_available", .bool),
        ]),
        EntityArchetype("event", synonyms: ["meeting"], [
            .field("title", .string, required: true), .field("starts_at", .datetime, required: true),
            .field("ends_at", .datetime), .field("location", .string), .field("description", .text),
        ]),
        // Health
        EntityArchetype("patient", person: true, parent: true, [
            .field("name", .string, required: true), .field("date_of_birth", .date), .field("phone", .phone),
            .field("email", .email), .field("address", .string),
        ]),
        EntityArchetype("doctor", synonyms: ["physician", "practitioner"], person: true, parent: true, [
            .field("name", .string, required: true), .field("specialty", .string), .field("email", .email),
            .field("phone", .phone),
        ]),
        // People and organisation
        EntityArchetype("employee", synonyms: ["staff_member", "worker"], person: true, parent: true, [
            .field("first_name", .string, required: true), .field("last_name", .string, required: true),
            .field("email", .email), .field("job_title", .string), .field("hire_date", .date),
            .field("salary", .money), .link(["department", "team"]),
        ]),
        EntityArchetype("department", synonyms: ["division", "unit"], parent: true, [
            .field("name", .string, required: true), .field("description", .text),
        ]),
        EntityArchetype("team", synonyms: ["group", "squad"], [
            .field("name", .string, required: true), .field("description", .text),
        ]),
        EntityArchetype("leave_request", synonyms: ["time_off_request", "absence", "vacation_request", "leave", "absence_request"], [
            .link(["employee", "staff_member", "member"], needed: true), .field("start_date", .date, required: true),
            .field("end_date", .date, required: true), .choice("type", ["vacation", "sick", "unpaid"]),
            .choice("status", ["pending", "approved", "rejected"]), .field("reason", .text),
        ]),
        EntityArchetype("user", synonyms: ["account_user"], person: true, [
            .field("name", .string, required: true), .field("email", .email, required: true, unique: true),
        ]),
        EntityArchetype("member", synonyms: ["subscriber"], person: true, [
            .field("name", .string, required: true), .field("email", .email), .field("joined_on", .date),
        ]),
        EntityArchetype("student", synonyms: ["learner", "pupil"], person: true, parent: true, [
            .field("name", .string, required: true), .field("email", .email), .field("date_of_birth", .date),
        ]),
        EntityArchetype("teacher", synonyms: ["instructor", "tutor"], person: true, parent: true, [
            .field("name", .string, required: true), .field("email", .email), .field("subject", .string),
        ]),
        EntityArchetype("course", synonyms: ["class_course", "training"], parent: true, [
            .field("title", .string, required: true), .field("description", .text), .field("start_date", .date),
        ]),
        // Work
        EntityArchetype("project", parent: true, [
            .field("name", .string, required: true), .field("description", .text),
            .choice("status", ["planned", "active", "on_hold", "completed"]), .field("start_date", .date),
            .field("due_date", .date), .user("owner", required: true),
        ]),
        EntityArchetype("task", synonyms: ["todo", "todo_item", "action_item", "assignment", "chore"], [
            .field("title", .string, required: true), .field("description", .text),
            .choice("status", ["todo", "in_progress", "done"]), .choice("priority", ["low", "medium", "high"]),
            .field("due_date", .date), .link(["project", "board", "list"]), .user("assignee"),
        ]),
        EntityArchetype("time_entry", synonyms: ["timesheet", "timesheet_entry"], [
            .field("hours", .decimal, required: true), .field("worked_on", .date, required: true),
            .field("description", .text), .link(["task", "project"]), .user("owner", required: true),
        ]),
        EntityArchetype("expense", synonyms: ["expense_claim", "expense_report"], [
            .field("amount", .money, required: true), .field("description", .text), .field("spent_on", .date),
            .choice("status", ["submitted", "approved", "rejected"]), .user("owner", required: true),
        ]),
        // Content
        EntityArchetype("post", synonyms: ["article", "blog_post", "story"], parent: true, [
            .field("title", .string, required: true), .field("body", .text, required: true),
            .field("published_at", .datetime), .link(["author", "writer"]), .link(["category"]),
        ]),
        EntityArchetype("comment", synonyms: ["reply", "response"], [
            .field("body", .text, required: true), .field("author_name", .string),
            .link(["post", "article", "ticket", "task", "issue", "product", "photo", "video"], needed: true),
        ]),
        EntityArchetype("author", synonyms: ["writer", "contributor"], person: true, parent: true, [
            .field("name", .string, required: true), .field("email", .email), .field("bio", .text),
        ]),
        EntityArchetype("review", synonyms: ["rating"], [
            .field("rating", .int, required: true), .field("body", .text), .field("author_name", .string),
            .link(["product", "book", "restaurant", "hotel", "course", "service"]),
        ]),
        EntityArchetype("message", synonyms: ["chat_message"], [
            .field("body", .text, required: true), .field("sent_at", .datetime, required: true), .user("sender", required: true),
        ]),
        EntityArchetype("book", [
            .field("title", .string, required: true), .field("isbn", .string, unique: true),
            .field("author_name", .string), .field("published_on", .date),
        ]),
        EntityArchetype("document", synonyms: ["file", "attachment"], [
            .field("title", .string, required: true), .field("url", .string, required: true), .field("description", .text),
        ]),
        EntityArchetype("location", synonyms: ["site", "branch", "store_location", "venue"], [
            .field("name", .string, required: true), .field("address", .string),
        ]),
        EntityArchetype("shipment", synonyms: ["delivery"], [
            .field("tracking_number", .string, unique: true), .choice("status", ["pending", "in_transit", "delivered"]),
            .field("shipped_at", .datetime), .link(["order"], needed: true),
        ]),
        EntityArchetype("subscription", synonyms: ["plan_subscription", "membership"], [
            .field("plan", .string, required: true), .choice("status", ["active", "cancelled", "past_due"]),
            .field("started_on", .date, required: true), .field("renews_on", .date), .link(["customer", "member", "user"]),
        ]),
    ]

    /// The archetype of a name or synonym (singular snake_case).
    static func archetype(named name: String) -> EntityArchetype? {
        if let exact = byName[name] { return all[exact] }
        if let synonym = bySynonym[name] { return all[synonym] }
        return nil
    }

    private static let byName: [String: Int] = Dictionary(all.enumerated().map { ($0.element.name, $0.offset) }, uniquingKeysWith: { first, _ in first })
    private static let bySynonym: [String: Int] = Dictionary(
        all.enumerated().flatMap { index, archetype in archetype.synonyms.map { ($0, index) } },
        uniquingKeysWith: { first, _ in first }
    )
}
