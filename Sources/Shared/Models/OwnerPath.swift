/// An entity's owner field (`EntitySpec.ownerField`, a guided form's `owner_field`) read as a path
/// of field names. `owner` names a field of the entity itself; `appointment.patient` goes through
/// the entity's reference field `appointment`, and the referenced row's field `patient` decides.
/// Every segment but the last is a reference field leading to the next entity; the last is a
/// string field holding the owning user's id (the token's `sub`) or a reference field whose
/// referenced row's id is the user's `sub`.
public struct OwnerPath: Sendable, Equatable, CustomStringConvertible {
    /// Most segments a path may have.
    public static let maximumSegments = 4

    /// What resolving a path needs to know of one field.
    public struct Field: Sendable, Equatable {
        /// The field's type; nil when it is not a known type (reported on the field itself).
        public var type: FieldType?
        /// The referenced entity, for reference fields.
        public var references: String?
        /// Whether the field holds personal data (stored encrypted, so it cannot be compared).
        public var pii: Bool

        /// Creates a field description.
        public init(type: FieldType?, references: String? = nil, pii: Bool = false) {
            self.type = type
            self.references = references
            self.pii = pii
        }
    }

    /// The field names, in order; never empty.
    public let segments: [String]

    /// Reads a path (`"appointment.patient"`); an empty text is one empty segment.
    public init(_ text: String) {
        segments = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    /// The path as written.
    public var description: String { segments.joined(separator: ".") }

    /// True when a referenced row decides the owner (more than one segment).
    public var goesThroughParent: Bool { segments.count > 1 }

    /// The entity's own field the path starts with: the owner field itself, or the reference to
    /// the parent row that decides.
    public var first: String { segments[0] }

    /// Why the path does not resolve, starting at `entity`; nil when it does. `field` looks up a
    /// field of an entity by name (nil when the entity has no such field or is unknown).
    public func problem(from entity: String, field: (_ entity: String, _ name: String) -> Field?) -> String? {
        if segments.count > Self.maximumSegments {
            return "'\(self)' has \(segments.count) segments; an owner path has at most \(Self.maximumSegments)"
        }
        if let bad = segments.first(where: { !GuidedFormValidator.isValidName($0) }) {
            return "'\(self)' must be a field name or a dotted path of field names like 'appointment.patient'; '\(bad)' is not snake_case"
        }
        var current = entity
        for (index, name) in segments.enumerated() {
            guard let found = field(current, name) else {
                return goesThroughParent
                    ? "'\(name)' of the owner path '\(self)' is not a field of \(current)"
                    : "'\(name)' is not a field of \(current)"
            }
            guard let type = found.type else { return nil }
            if index < segments.count - 1 {
                guard type == .reference, let target = found.references else {
                    return "'\(name)' of the owner path '\(self)' must be a reference field of \(current) leading to the owning row, not \(type.rawValue)"
                }
                current = target
            } else if type != .string && type != .reference {
                return "the owner field '\(name)' of \(current) must be a string (the owning user's id) or a reference (whose row's id is the user's), not \(type.rawValue)"
            } else if type == .string && found.pii {
                return "the owner field '\(name)' of \(current) holds personal data, stored encrypted, so it cannot decide which rows a user owns"
            }
        }
        return nil
    }
}
