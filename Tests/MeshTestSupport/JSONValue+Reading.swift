import Shared

/// Reading API answers in tests.
extension JSONValue {
    /// The number as an integer, if it is one.
    public var int: Int? {
        if case .number(let value) = self { return Int(exactly: value) }
        return nil
    }

    /// The number, if it is one.
    public var double: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The boolean, if it is one.
    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements, if it is an array.
    public var array: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// A value down a path of keys.
    public subscript(path keys: String...) -> JSONValue? {
        keys.reduce(Optional(self)) { value, key in value?[key] }
    }
}
