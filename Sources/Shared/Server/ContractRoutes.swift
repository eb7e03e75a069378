import Foundation

/// The operations a service's OpenAPI contract declares, read once at start: each path template
/// with its methods and the services its `x-service-callers` admits. The service-caller policy
/// and the answer to a method the contract does not declare (405 with `Allow`) both come from it.
public struct ContractRoutes: Sendable {
    /// One operation.
    public struct Operation: Sendable {
        /// The method, upper case.
        public let method: String
        /// The path template, e.g. `/api/meta/v2/runs/{id}` (also the router's endpoint path).
        public let path: String
        /// `x-service-callers`: the services whose tokens the operation accepts, if any.
        public let serviceCallers: [String]?
    }

    /// Every operation of the contract.
    public let operations: [Operation]
    /// Each template's segments (a parameter as nil) and its methods, for matching request paths.
    private let templates: [(segments: [Substring?], methods: [String])]

    private static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// Reads the operations of an OpenAPI document.
    public init(openAPI document: Data) throws {
        guard let root = try JSONSerialization.jsonObject(with: document) as? [String: Any],
              let paths = root["paths"] as? [String: [String: Any]] else {
            throw ConfigError(key: "openapi.json", reason: "has no paths object")
        }
        var operations: [Operation] = []
        var templates: [(segments: [Substring?], methods: [String])] = []
        for (path, item) in paths.sorted(by: { $0.key < $1.key }) {
            var methods: [String] = []
            for (method, operation) in item where Self.methods.contains(method) {
                let callers = (operation as? [String: Any])?["x-service-callers"]
                if callers != nil, !(callers is [String]) {
                    throw ConfigError(key: "openapi.json", reason: "x-service-callers of \(method.uppercased()) \(path) must be a list of services")
                }
                operations.append(Operation(method: method.uppercased(), path: path, serviceCallers: callers as? [String]))
                methods.append(method.uppercased())
            }
            let segments = path.split(separator: "/").map { $0.hasPrefix("{") && $0.hasSuffix("}") ? nil : $0 }
            templates.append((segments, methods.sorted()))
        }
        self.operations = operations
        self.templates = templates
    }

    /// The methods the contract declares for the template that request path `path` matches
    /// (a literal segment beats a parameter), sorted; empty when no template matches.
    public func methods(matching path: String) -> [String] {
        let segments = path.split(separator: "/")
        let matches = templates.filter { template in
            template.segments.count == segments.count
                && zip(template.segments, segments).allSatisfy { literal, segment in literal.map { $0 == segment } ?? !segment.isEmpty }
        }
        let best = matches.max { $0.segments.filter { $0 != nil }.count < $1.segments.filter { $0 != nil }.count }
        return best?.methods ?? []
    }
}
