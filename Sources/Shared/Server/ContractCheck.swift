import Foundation
import Hummingbird

/// Compares the routes a service registered with the operations its OpenAPI contract documents,
/// so the contract cannot drift from the code: a route without an operation, or an operation
/// without a route, stops the application from being built (and so fails every test that builds it).
public enum ContractCheck {
    /// One method on one path, in OpenAPI form (`POST /api/meta/v2/specs/{id}/plan`).
    public struct Operation: Hashable, Sendable, CustomStringConvertible, Comparable {
        /// The upper-case HTTP method.
        public let method: String
        /// The path with `{name}` parameters.
        public let path: String

        /// Creates an operation.
        public init(method: String, path: String) {
            self.method = method
            self.path = path
        }

        public var description: String { "\(method) \(path)" }

        public static func < (lhs: Operation, rhs: Operation) -> Bool { lhs.description < rhs.description }
    }

    /// The operations a contract documents.
    public static func documented(in contract: ContractRoutes) -> Set<Operation> {
        Set(contract.operations.map { Operation(method: $0.method, path: $0.path) })
    }

    /// The operations a router serves, its `:name` parameters written as `{name}`.
    public static func registered<Context>(in router: Router<Context>) -> Set<Operation> {
        Set(router.routes.map { route in
            let path = "/" + route.path.description.split(separator: "/").map { segment in
                segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
            }.joined(separator: "/")
            return Operation(method: route.method.rawValue, path: path)
        })
    }

    /// Throws naming every undocumented route and every operation without a route.
    public static func verify<Context>(_ router: Router<Context>, against contract: ContractRoutes, service: String) throws {
        let registered = registered(in: router)
        let documented = documented(in: contract)
        let undocumented = registered.subtracting(documented).sorted()
        let unserved = documented.subtracting(registered).sorted()
        guard undocumented.isEmpty, unserved.isEmpty else {
            var problems: [String] = []
            if !undocumented.isEmpty { problems.append("routes missing from the contract: \(undocumented.map(\.description).joined(separator: ", "))") }
            if !unserved.isEmpty { problems.append("documented operations without a route: \(unserved.map(\.description).joined(separator: ", "))") }
            throw ConfigError(key: "\(service) openapi.json", reason: problems.joined(separator: "; "))
        }
    }
}
