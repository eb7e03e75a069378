/// A SQL statement whose interpolated values become bound parameters (`$1`, `$2`, …), never text.
///
/// ```swift
/// let sql: SQL = "SELECT id FROM specs WHERE id = \(specID) AND status = \(status)"
/// ```
/// Raw fragments (identifiers chosen by code, never by users) need `\(unsafeSQL: "…")`.
public struct SQL: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The statement text with `$n` placeholders.
    public private(set) var text: String
    /// The bound values in placeholder order, in Postgres text format (nil is NULL).
    public private(set) var binds: [String?]

    /// A statement without parameters.
    public init(stringLiteral value: String) {
        text = value
        binds = []
    }

    public init(stringInterpolation: StringInterpolation) {
        text = stringInterpolation.text
        binds = stringInterpolation.binds
    }

    /// Appends another statement fragment, renumbering its placeholders.
    public mutating func append(_ other: SQL) {
        var interpolation = StringInterpolation(literalCapacity: 0, interpolationCount: 0)
        interpolation.text = text
        interpolation.binds = binds
        interpolation.appendInterpolation(other)
        text = interpolation.text
        binds = interpolation.binds
    }

    /// The statement text only: parameters are never printed.
    public var description: String { text }

    /// Builds the statement text and its parameter list.
    public struct StringInterpolation: StringInterpolationProtocol {
        var text = ""
        var binds: [String?] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 3)
        }

        public mutating func appendLiteral(_ literal: String) {
            text += literal
        }

        /// Binds a value as the next parameter.
        public mutating func appendInterpolation(_ value: some PostgresEncodable) {
            binds.append(value.postgresText)
            text += "$\(binds.count)"
        }

        /// Binds an optional value; nil becomes NULL.
        public mutating func appendInterpolation(_ value: (some PostgresEncodable)?) {
            binds.append(value?.postgresText)
            text += "$\(binds.count)"
        }

        /// Inserts a nested statement, renumbering its placeholders after ours.
        public mutating func appendInterpolation(_ fragment: SQL) {
            // A fragment without parameters (a column list, a keyword) has nothing to renumber.
            guard !fragment.binds.isEmpty else {
                text += fragment.text
                return
            }
            let offset = binds.count
            var renumbered = ""
            var index = fragment.text.startIndex
            while index < fragment.text.endIndex {
                let character = fragment.text[index]
                if character == "$" {
                    var digitsEnd = fragment.text.index(after: index)
                    while digitsEnd < fragment.text.endIndex, fragment.text[digitsEnd].isASCII, fragment.text[digitsEnd].isNumber {
                        digitsEnd = fragment.text.index(after: digitsEnd)
                    }
                    if let number = Int(fragment.text[fragment.text.index(after: index)..<digitsEnd]) {
                        renumbered += "$\(number + offset)"
                        index = digitsEnd
                        continue
                    }
                }
                renumbered.append(character)
                index = fragment.text.index(after: index)
            }
            text += renumbered
            binds += fragment.binds
        }

        /// Inserts raw SQL text. Only for identifiers and keywords chosen by code.
        public mutating func appendInterpolation(unsafeSQL raw: String) {
            text += raw
        }
    }
}
