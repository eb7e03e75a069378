import Shared

/// Reading API answers for human output.
extension JSONValue {
    /// A value down a path of keys.
    func at(_ keys: String...) -> JSONValue? {
        keys.reduce(Optional(self)) { value, key in value?[key] }
    }

    /// The number as an integer, if it is a whole one.
    var integer: Int? {
        if case .number(let value) = self { return Int(exactly: value) }
        return nil
    }

    /// The number, if it is one.
    var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The boolean, if it is one.
    var boolean: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements, if it is an array (else none).
    var items: [JSONValue] {
        if case .array(let value) = self { return value }
        return []
    }

    /// The value as short text: strings as they are, numbers without a needless `.0`, `-` for
    /// null or absent.
    var text: String {
        switch self {
        case .string(let value): value
        case .number(let value): Int(exactly: value).map(String.init) ?? String(value)
        case .bool(let value): String(value)
        case .null: "-"
        default: "\(self)"
        }
    }
}

extension Optional where Wrapped == JSONValue {
    /// The value as short text, `-` when absent.
    var text: String { self?.text ?? "-" }
}
