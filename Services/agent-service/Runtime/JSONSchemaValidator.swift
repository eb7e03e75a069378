import Foundation
import Shared

/// Validates JSON against the subset of JSON Schema the role schemas use: `type`, `enum`,
/// `properties`, `required`, `additionalProperties: false`, `items`, `minItems`, `minLength`,
/// `pattern`, `minimum`, `maximum`. Errors carry a JSON-pointer-like path.
struct JSONSchemaValidator {
    /// One violation.
    struct Violation: Equatable, CustomStringConvertible {
        let path: String
        let reason: String
        var description: String { "\(path.isEmpty ? "/" : path): \(reason)" }
    }

    /// All violations of `value` against `schema` (empty when valid).
    func violations(of value: JSONValue, against schema: JSONValue, path: String = "") -> [Violation] {
        var found: [Violation] = []
        if case .array(let allowed)? = schema["enum"], !allowed.contains(value) {
            found.append(Violation(path: path, reason: "must be one of \(allowed.compactMap(\.stringValue).joined(separator: ", "))"))
        }
        if let type = schema["type"]?.stringValue, !matches(value, type: type) {
            return found + [Violation(path: path, reason: "must be of type \(type)")]
        }
        switch value {
        case .object(let object):
            if case .array(let required)? = schema["required"] {
                for key in required.compactMap(\.stringValue) where object[key] == nil {
                    found.append(Violation(path: "\(path)/\(key)", reason: "is required"))
                }
            }
            let properties: [String: JSONValue]
            if case .object(let declared)? = schema["properties"] { properties = declared } else { properties = [:] }
            for key in object.keys.sorted() {
                if let property = properties[key] {
                    found += violations(of: object[key]!, against: property, path: "\(path)/\(key)")
                } else if schema["additionalProperties"] == .bool(false) {
                    found.append(Violation(path: "\(path)/\(key)", reason: "is not allowed"))
                }
            }
        case .array(let items):
            if case .number(let minimum)? = schema["minItems"], Double(items.count) < minimum {
                found.append(Violation(path: path, reason: "must have at least \(Int(minimum)) items"))
            }
            if let itemSchema = schema["items"] {
                for (index, item) in items.enumerated() {
                    found += violations(of: item, against: itemSchema, path: "\(path)/\(index)")
                }
            }
        case .string(let text):
            if case .number(let minimum)? = schema["minLength"], Double(text.count) < minimum {
                found.append(Violation(path: path, reason: "must have at least \(Int(minimum)) characters"))
            }
            if let pattern = schema["pattern"]?.stringValue, text.range(of: pattern, options: .regularExpression) == nil {
                found.append(Violation(path: path, reason: "must match \(pattern)"))
            }
        case .number(let number):
            if case .number(let minimum)? = schema["minimum"], number < minimum {
                found.append(Violation(path: path, reason: "must be at least \(minimum)"))
            }
            if case .number(let maximum)? = schema["maximum"], number > maximum {
                found.append(Violation(path: path, reason: "must be at most \(maximum)"))
            }
        default:
            break
        }
        return found
    }

    private func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null), ("number", .number): true
        case ("integer", .number(let number)): number.rounded() == number
        default: false
        }
    }
}
