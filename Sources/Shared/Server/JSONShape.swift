/// The keys a JSON request body may carry, object by object, so a typo (`"PII": true`,
/// `"ownerField"`) is refused instead of silently dropped by `Decodable`. The same walk refuses
/// control characters in strings (a NUL would be cut off by libpq, and `jsonb` rejects it), so
/// every problem is an INVALID_ARGUMENT naming the field, never a database error.
public indirect enum JSONShape: Sendable {
    /// An object with exactly these optional keys, each with its own shape.
    case object([String: JSONShape])
    /// An array whose elements all have this shape.
    case array(JSONShape)
    /// A string, number, boolean or null: checked for control characters only.
    case scalar

    /// Throws INVALID_ARGUMENT naming the first unknown field or string with a control character.
    /// Type mismatches are left to the decoder, which names them as precisely.
    public func check(_ value: JSONValue, at path: String = "") throws {
        switch (self, value) {
        case (.object(let keys), .object(let object)):
            for key in object.keys.sorted() {
                let keyPath = path.isEmpty ? key : "\(path).\(key)"
                guard let shape = keys[key] else { throw WireError.invalidArgument(field: keyPath, "is not a known field") }
                try shape.check(object[key]!, at: keyPath)
            }
        case (.array(let element), .array(let items)):
            for (index, item) in items.enumerated() { try element.check(item, at: "\(path)[\(index)]") }
        case (_, .string(let text)):
            if text.unicodeScalars.contains(where: Self.isRefusedControl) {
                throw WireError.invalidArgument(field: path.isEmpty ? "body" : path, "must not contain control characters")
            }
        default:
            return
        }
    }

    /// C0 controls except tab, line feed and carriage return; DEL; C1 controls.
    private static func isRefusedControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: false
        case 0x00...0x1F, 0x7F...0x9F: true
        default: false
        }
    }
}
