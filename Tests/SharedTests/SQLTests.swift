import Foundation
import Testing
@testable import Shared

/// The interpolation type binds values as parameters, never as text.
@Suite struct SQLTests {
    @Test func interpolatedValuesBecomeNumberedParameters() {
        let id = UUID()
        let name = "Robert'); DROP TABLE specs;--"
        let sql: SQL = "SELECT * FROM specs WHERE id = \(id) AND name = \(name) AND n = \(42)"
        #expect(sql.text == "SELECT * FROM specs WHERE id = $1 AND name = $2 AND n = $3")
        #expect(sql.binds == [id.uuidString.lowercased(), name, "42"])
        #expect(!sql.description.contains("DROP"))
    }

    @Test func nilBindsNullAndUnsafeSQLIsRawText() {
        let missing: String? = nil
        let sql: SQL = "UPDATE \(unsafeSQL: "specs") SET title = \(missing)"
        #expect(sql.text == "UPDATE specs SET title = $1")
        #expect(sql.binds == [nil])
    }

    @Test func nestedFragmentsAreRenumbered() {
        let filter: SQL = "status = \("ready") AND owner = \("u1")"
        var sql: SQL = "SELECT 1 WHERE tenant = \(UUID()) AND "
        sql.append(filter)
        let nested: SQL = "SELECT \(1), \(filter)"
        #expect(sql.text.hasSuffix("status = $2 AND owner = $3"))
        #expect(sql.binds.count == 3)
        #expect(nested.text == "SELECT $1, status = $2 AND owner = $3")
    }

    @Test func timestampsRoundTripThroughText() throws {
        let date = Date(timeIntervalSince1970: 1_764_087_651.123456)
        let parsed = try Date(postgresText: date.postgresText)
        #expect(abs(parsed.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.000_002)
        let fromServer = try Date(postgresText: "2026-11-25 16:20:51.5+01")
        #expect(fromServer.timeIntervalSince1970 == 1_795_620_051.5)
        #expect(throws: PostgresDecodingError.self) { try Date(postgresText: "yesterday") }
    }

    @Test func timestampTextAgreesWithTheGregorianCalendarAcrossCenturies() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var generator = SystemRandomNumberGenerator()
        // 1900-01-01 … 2200-01-01, whole seconds plus microseconds, leap days included.
        let samples = (0..<2000).map { _ in Double(Int.random(in: -2_208_988_800...7_258_118_400, using: &generator)) + Double(Int.random(in: 0..<1_000_000, using: &generator)) / 1_000_000 }
            + [951_782_400, 1_709_164_800.5, -2_203_891_200, 0, -0.25]
        for seconds in samples {
            let date = Date(timeIntervalSince1970: seconds)
            let text = date.postgresText
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: floor(seconds)))
            let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!)
            #expect(text.hasPrefix(expected), "\(seconds) gave \(text)")
            #expect(abs(try Date(postgresText: text).timeIntervalSince1970 - seconds) < 0.000_002)
            let serverForm = text.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "+00")
            #expect(abs(try Date(postgresText: serverForm).timeIntervalSince1970 - seconds) < 0.000_002)
        }
    }

    @Test func byteaHexRoundTrips() throws {
        let data = Data([0, 1, 0xfe, 0xff, 0x7f])
        #expect(data.postgresText == "\\x0001feff7f")
        #expect(try Data(postgresText: data.postgresText) == data)
    }
}
