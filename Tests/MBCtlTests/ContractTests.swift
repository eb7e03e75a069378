import Foundation
import Shared
import Testing

@testable import MBCtl

/// mbctl's calls against the services' contracts: every operation it makes is one that the
/// owning service's `openapi.json` documents, and the schema mbctl reads its answer as is the
/// one documented for that operation's success.
@Suite struct ContractTests {
    /// The repository's root, from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A service's contract, parsed.
    static func contract(_ service: Service) throws -> JSONValue {
        let url = root.appendingPathComponent("Services/\(service.rawValue)-service/openapi.json")
        return try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: url))
    }

    @Test(arguments: APIOperation.allCases)
    func everyCallIsAnOperationOfTheOwningService(_ operation: APIOperation) throws {
        let document = try Self.contract(operation.service)
        let documented = try #require(document.at("paths", operation.template), "\(operation.template) is not a path of the \(operation.service)-service")
        let entry = try #require(documented[operation.method.lowercased()], "\(operation.method) \(operation.template) is not an operation of the \(operation.service)-service")
        // Each parameter mbctl puts into the path or query is a documented parameter.
        let names = Set((entry["parameters"]?.items ?? []).compactMap { $0["name"]?.stringValue })
        for placeholder in operation.template.split(separator: "{").dropFirst().map({ String($0.prefix { $0 != "}" }) }) {
            #expect(names.contains(placeholder), "\(placeholder) of \(operation.template)")
        }
        for name in Self.queryParameters[operation] ?? [] {
            #expect(names.contains(name), "query parameter \(name) of \(operation.method) \(operation.template)")
        }
        // The answer's schema is the one the operation documents for its success.
        let successes = (entry["responses"].flatMap { value -> [String: JSONValue]? in
            if case .object(let object) = value { return object }
            return nil
        } ?? [:]).filter { $0.key.hasPrefix("2") }.values
        let schemas = successes.compactMap { $0.at("content", "application/json", "schema") }
        switch operation.answer {
        case .schema(let name):
            #expect(schemas.contains { $0["$ref"]?.stringValue == "#/components/schemas/\(name)" }, "\(operation): \(schemas)")
        case .page(let key, let item):
            #expect(schemas.contains { $0.at("properties", key, "items", "$ref")?.stringValue == "#/components/schemas/\(item)" }, "\(operation): \(schemas)")
        case .other:
            #expect(successes.contains { ($0["content"].map { value -> Bool in
                if case .object(let object) = value { return object.keys.contains { $0 != "application/json" } }
                return false
            }) ?? false }, "\(operation) answers something other than JSON")
        }
    }

    /// The query parameters each command sends (kept beside the commands' own lists by this test).
    static let queryParameters: [APIOperation: [String]] = [
        .listSpecs: ["page_size", "page_token", "status"],
        .listRuns: ["page_size", "page_token", "status", "spec_id", "created_after", "created_before"],
        .runDiff: ["iteration"],
        .runReport: ["iteration"],
        .runEvents: ["Last-Event-ID"],
        .listApprovals: ["page_size", "page_token", "status"],
        .audit: ["page_size", "page_token", "service", "resource_type", "resource_id", "actor", "action", "since", "until"],
        .createSpec: ["Idempotency-Key"], .planSpec: ["Idempotency-Key"], .startRun: ["Idempotency-Key"],
        .approveRun: ["Idempotency-Key"], .rejectRun: ["Idempotency-Key"],
    ]

    @Test func pathsPutEachParameterIntoOneSegment() {
        #expect(APIOperation.downloadArtifact.path(["r1", "a/2"]) == "/api/meta/v2/runs/r1/artifacts/a%2F2")
        #expect(APIOperation.getRun.path(["0c9b"]) == "/api/meta/v2/runs/0c9b")
    }
}
