/// The types a field of a generated application can have.
public enum FieldType: String, Codable, Sendable, CaseIterable {
    case string, text, int, decimal, bool, date, datetime, `enum`, email, phone, money, reference

    /// Whether values of this type are personal data by nature.
    public var isPIIByNature: Bool { self == .email || self == .phone }
}
