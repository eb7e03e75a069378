import Shared

/// An approval gate (`Gate` of the approval-service) for people: the decision's context — risk,
/// policy, rollback evidence and what rejecting undoes — and the decisions so far.
struct GateView {
    /// The gate as the API answered it.
    let gate: JSONValue
    /// Where it is shown.
    let console: Console

    /// Prints the gate.
    func print() {
        var fields: [(String, String)] = [
            ("gate", gate["id"].text),
            ("run", gate["run_id"].text + " (iteration \(gate["iteration"].text), by \(gate["run_created_by"].text))"),
            ("status", console.state(gate["status"].text)),
            ("title", gate["title"].text),
            ("risk", "\(gate["risk_score"].text)" + (gate.at("risk", "threshold").map { " (threshold \($0.text))" } ?? "")),
            ("approvals", "\(gate["approvals"].text) of \(gate["required_approvals"].text) required" + (gate["self_approval_allowed"]?.boolean == true ? "" : "; the creator may not approve")),
            ("rollback", console.state(gate.at("rollback", "status").text) + " " + (gate.at("rollback", "checks")?.items ?? []).map { "\($0["name"].text)=\($0["status"].text)" }.joined(separator: " ")),
            ("expires", gate["expires_at"].text),
        ]
        if let decided = gate["decided_by"], decided != .null {
            fields.append(("decided", "by \(decided.text) at \(gate["decided_at"].text)" + (gate["decision_reason"]?.stringValue.map { " (\($0))" } ?? "")))
        }
        console.fields(fields)
        for flag in gate.at("risk", "flags")?.items ?? [] {
            console.line("  risk +\(flag["weight"].text) \(flag["factor"].text): \(flag["detail"].text)")
        }
        // What building and the diffs raised the plan's score by, rule by rule (`factor (+points): detail`).
        for reason in gate.at("risk", "reasons")?.items ?? [] {
            console.line("  raised \(reason.text)")
        }
        if let plan = gate["rollback_plan"], plan != .null {
            console.line()
            console.line(console.styled("Rejecting undoes", .bold))
            let tables = (plan.at("data_lost", "tables")?.items ?? []).map(\.text).joined(separator: ", ")
            console.line("  down migrations: " + (plan["down_migrations"]?.items ?? []).map { "\($0["version"].text) \($0["name"].text)" }.joined(separator: ", "))
            console.line("  tables dropped:  \(tables.isEmpty ? "none" : tables) (\(plan.at("data_lost", "scope").text))")
            console.line("  branch:          \(plan.at("branch", "name").text): \(plan.at("branch", "meaning").text)")
            console.line("  artifacts:       \(plan.at("artifacts", "meaning").text)")
        }
        let decisions = gate["decisions"]?.items ?? []
        if !decisions.isEmpty {
            console.line()
            console.table(["DECISION", "BY", "AT", "COMMENT"], decisions.map { [$0["decision"].text, $0["actor"].text, $0["created_at"].text, $0["comment"].text] })
        }
    }
}
