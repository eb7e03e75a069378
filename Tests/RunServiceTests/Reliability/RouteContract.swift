import Foundation
import MeshTestSupport
import Shared

/// An authenticated operation of a service's served contract (`/openapi.json`): a route under
/// `/api/` or `/internal/`, with the services its `x-service-callers` admits.
struct RouteContract: Sendable, CustomStringConvertible {
    let method: String
    /// The path template, e.g. `/api/meta/v2/runs/{id}`.
    let template: String
    let callers: [String]

    /// Internal routes admit service tokens only.
    var isInternal: Bool { template.hasPrefix("/internal/") }

    var description: String { "\(method) \(template)" }

    /// The path with every parameter replaced by `value(name)`.
    func path(_ value: (String) -> String) -> String {
        var path = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            path += rest[..<open] + value(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return path + rest
    }

    /// The authenticated operations of a contract.
    static func all(in contract: JSONValue) -> [RouteContract] {
        guard case let .object(paths)? = contract["paths"] else { return [] }
        return paths.keys.sorted().filter { $0.hasPrefix("/api/") || $0.hasPrefix("/internal/") }.flatMap { template -> [RouteContract] in
            guard case let .object(operations)? = paths[template] else { return [] }
            return operations.keys.sorted().compactMap { method -> RouteContract? in
                guard ["get", "post", "put", "patch", "delete"].contains(method) else { return nil }
                let callers = operations[method]?["x-service-callers"]?.array?.compactMap(\.stringValue) ?? []
                return RouteContract(method: method.uppercased(), template: template, callers: callers)
            }
        }
    }
}
