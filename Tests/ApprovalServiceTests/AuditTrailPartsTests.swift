import Foundation
import MeshTestSupport
import Shared
import Testing
@testable import ApprovalService

/// The audit trail's parts: the query's parsing, the cursor's token (bound to its filters,
/// tamper-checked), the merge of several feeds' pages; and, on a real approval-service whose
/// peers are unreachable, its own feed and the trail's refusal to answer with a partial trail.
@Suite struct AuditTrailPartsTests {
    static func record(_ at: String, _ id: String, _ service: String = "run-service") -> AuditRecord {
        AuditRecord(id: id, at: at, service: service, actor: "u", action: "run.start", resourceType: "run", resourceID: "r", traceID: nil, details: .object([:]))
    }

    static func query(_ parameters: [String: String], pageSizes: ClosedRange<Int> = 1...100) throws -> AuditQuery {
        try AuditQuery(parameter: { parameters[$0] }, pageSizes: pageSizes, defaultPageSize: 50)
    }

    static func digits(_ value: Int, _ width: Int) -> String {
        String(repeating: "0", count: max(0, width - String(value).count)) + String(value)
    }

    static func field(_ body: () throws -> Any) -> String? {
        do {
            _ = try body()
            return nil
        } catch {
            return (error as? WireError)?.details.first?.field
        }
    }

    @Test func theQueryReadsItsFiltersAndNamesTheFirstBadOne() throws {
        let query = try Self.query([
            "resource_type": "run", "resource_id": "42", "actor": "alice", "action": "run.start",
            "since": "2026-01-01T00:00:00Z", "until": "2026-01-02T00:00:00.5+01:00", "page_size": "7",
        ])
        #expect(query == AuditQuery(resourceType: "run", resourceID: "42", actor: "alice", action: "run.start", since: "2026-01-01T00:00:00Z", until: "2026-01-02T00:00:00.5+01:00", pageSize: 7))
        #expect(try Self.query([:]).pageSize == 50)
        #expect(Self.field { try Self.query(["page_size": "0"]) } == "page_size")
        #expect(Self.field { try Self.query(["page_size": "101"]) } == "page_size")
        #expect(try Self.query(["page_size": "200"], pageSizes: AuditFeed.pageSizes).pageSize == 200)
        #expect(Self.field { try Self.query(["since": "yesterday"]) } == "since")
        #expect(Self.field { try Self.query(["until": "2026-13-01T00:00:00Z"]) } == "until")
        #expect(Self.field { try Self.query(["since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"]) } == "until")
        #expect(Self.field { try Self.query(["actor": "a\u{1}b"]) } == "actor")
        #expect(Self.field { try Self.query(["resource_id": String(repeating: "x", count: 201)]) } == "resource_id")
        #expect(Self.field { try Self.query(["page_token": "bm90IG91cnM"]) } == "page_token")
    }

    @Test func theQueryTravelsToAFeedPercentEncodedAndComesBackTheSame() throws {
        var query = try Self.query(["actor": "a&b=c d+e", "since": "2026-01-01T00:00:00+01:00", "page_size": "3"])
        query.after = AuditCursor(at: "2026-01-01T10:00:00.000001Z", id: "0b9a0c3e-1f7c-4a57-9f5b-6f7a1c2d3e4f")
        #expect(!query.queryString.contains("+") && !query.queryString.contains(" "))
        var parsed: [String: String] = [:]
        for pair in query.queryString.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
            parsed[parts[0]] = parts[1]
        }
        #expect(try Self.query(parsed) == query)
    }

    @Test func aTokenBelongsToItsFiltersAndCannotBeAltered() throws {
        let query = try Self.query(["resource_type": "run"])
        let record = Self.record("2026-01-01T10:00:00.000001Z", "0b9a0c3e-1f7c-4a57-9f5b-6f7a1c2d3e4f")
        let token = query.token(after: record)
        #expect(try Self.query(["resource_type": "run", "page_token": token]).after == record.cursor)
        // The same token under other filters, or with its cursor moved, is refused.
        #expect(Self.field { try Self.query(["resource_type": "gate", "page_token": token]) } == "page_token")
        #expect(Self.field { try Self.query(["page_token": token]) } == "page_token")
        let text = String(decoding: try #require(Data(base64URLEncoded: token)), as: UTF8.self)
        let moved = Data(text.replacingOccurrences(of: "10:00:00", with: "09:00:00").utf8).base64URLEncoded
        #expect(Self.field { try Self.query(["resource_type": "run", "page_token": moved]) } == "page_token")
        for foreign in ["", "!!", Data("a|b|c".utf8).base64URLEncoded, Data("2026-01-01T10:00:00Z|0B9A0C3E-1F7C-4A57-9F5B-6F7A1C2D3E4F|x".utf8).base64URLEncoded] {
            #expect(Self.field { try Self.query(["resource_type": "run", "page_token": foreign]) } == "page_token", "\(foreign)")
        }
    }

    @Test func theMergeTakesTheNewestAcrossFeedsAndPagesWithoutLossOrDuplicates() throws {
        // Three feeds with interleaved times, one tie on the time broken by id.
        var feeds: [[AuditRecord]] = [[], [], []]
        for index in 0..<30 {
            let at = "2026-01-01T10:00:\(Self.digits(index / 2, 2)).\(index % 2 == 0 ? "000000" : "500000")Z"
            let id = "00000000-0000-4000-8000-\(Self.digits(index, 12))"
            feeds[index % 3].append(Self.record(at, id, ["spec-service", "run-service", "agent-service"][index % 3]))
        }
        feeds[1].append(Self.record("2026-01-01T10:00:00.000000Z", "ffffffff-0000-4000-8000-000000000000"))
        let all = feeds.joined().sorted(by: AuditRecord.newestFirst)
        #expect(all.first?.id == "00000000-0000-4000-8000-000000000029")
        #expect(Array(all.suffix(2).map(\.id)) == ["ffffffff-0000-4000-8000-000000000000", "00000000-0000-4000-8000-000000000000"])

        // Page as the trail does: each feed gives its records after the cursor, one more than the page.
        var seen: [String] = []
        var query = try Self.query(["page_size": "4"])
        var pages = 0
        while true {
            let after = query.after
            let asked = feeds.map { feed in
                Array(feed.sorted(by: AuditRecord.newestFirst).filter { after == nil || ($0.at, $0.id) < (after!.at, after!.id) }.prefix(query.pageSize + 1))
            }
            let page = AuditTrail.merge(asked, query: query)
            seen += page.records.map(\.id)
            pages += 1
            guard let token = page.nextPageToken else { break }
            query = try Self.query(["page_size": "4", "page_token": token])
        }
        #expect(seen == all.map(\.id))
        #expect(pages == 8)
        #expect(AuditTrail.merge([[], []], query: query).records.isEmpty)
    }

    @Test func theServicesOwnFeedAndTheTrailThatWillNotBePartial() async throws {
        try await ApprovalHarness.with { harness in
            let (tenant, other) = (UUID(), UUID())
            let gate = try await harness.database.seedGate(tenant: tenant)
            // What a decision records, by a reviewer whose id is an e-mail address.
            for (who, tenantID) in [("reviewer@example.com", tenant), ("someone", other)] {
                try await harness.database.pool.withTenant(tenantID, deadline: .after(.seconds(15))) { session in
                    try await AuditLog.record("approval.approve", resourceType: "gate", resourceID: gate.id.lowercaseText, by: Principal(userID: who, tenantID: tenantID, role: .owner), details: .object(["approvals": .number(1)]), on: session)
                }
            }

            // The feed: the approval-service's tokens acting for an owner or admin; the tenant's records only, the actor redacted.
            let feed = try await harness.call("GET", "/internal/v1/audit?resource_id=\(gate.id.lowercaseText)", token: harness.serviceToken(tenant, from: "approval-service"))
            #expect(feed.status == 200, "\(feed.text)")
            let records = feed.json?["records"]?.array ?? []
            #expect(records.count == 1)
            #expect(records.first?["actor"]?.stringValue == "[REDACTED_EMAIL]")
            #expect(records.first?["service"]?.stringValue == "approval-service")
            #expect(records.first?["at"]?.stringValue?.count == 27, "microseconds: \(records)")
            #expect(try await harness.call("GET", "/internal/v1/audit", token: harness.token(tenant, .owner)).status == 401)
            #expect(try await harness.call("GET", "/internal/v1/audit", token: harness.serviceToken(tenant)).status == 401, "only the approval-service reads the feeds")
            #expect(try await harness.call("GET", "/internal/v1/audit", token: harness.serviceToken(tenant, role: .member, from: "approval-service")).status == 403)
            let badFeed = try await harness.call("GET", "/internal/v1/audit?page_size=201", token: harness.serviceToken(tenant, from: "approval-service"))
            #expect(badFeed.status == 400 && badFeed.json?[path: "error", "details"]?.array?.first?["field"]?.stringValue == "page_size", "\(badFeed.text)")

            // The trail: owners and admins; its peers are unreachable here, so it refuses naming them.
            for role in [Role.member, .viewer] {
                #expect(try await harness.call("GET", "/api/meta/v2/audit", token: harness.token(tenant, role)).status == 403)
            }
            let down = try await harness.call("GET", "/api/meta/v2/audit", token: harness.token(tenant, .admin))
            #expect(down.status == 503, "\(down.text)")
            #expect(down.header("Retry-After") != nil)
            let message = down.json?[path: "error", "message"]?.stringValue ?? ""
            #expect(["spec-service", "run-service", "agent-service"].allSatisfy(message.contains), "\(message)")
            #expect(!message.contains("approval-service"))
            // Only the service that answers: its own records.
            let own = try await harness.call("GET", "/api/meta/v2/audit?service=approval-service&actor=reviewer@example.com", token: harness.token(tenant, .owner))
            #expect(own.status == 200, "\(own.text)")
            #expect(own.json?["records"]?.array?.map { $0["action"]?.stringValue } == ["approval.approve"])
            let unknown = try await harness.call("GET", "/api/meta/v2/audit?service=billing", token: harness.token(tenant, .owner))
            #expect(unknown.status == 400 && unknown.json?[path: "error", "details"]?.array?.first?["field"]?.stringValue == "service", "\(unknown.text)")
        }
    }
}
