import Foundation
import Shared
import Testing

/// `JSONValue(parsing:)` reads what `JSONDecoder` reads into the same values, refuses what it
/// refuses, and says where a document breaks.
@Suite struct JSONValueParsingTests {
    static let documents = [
        #"{}"#, #"[]"#, #"null"#, #"true"#, #"false"#, #"0"#, #"-0"#, #"12"#, #"-3.25e2"#, #"1E+3"#, #"0.5"#,
        #""plain""#, #""esc\"aped\\ \/ \b\f\n\r\t""#, #""\u00e9\u4e2d\ud83d\ude00""#, #""naïve ☃ 😀""#,
        #"  { "a" : [ 1 , 2.5 , "x" , null , true , { } , [ ] ] , "b" : { "c" : { "d" : [ [ [ ] ] ] } } }  "#,
        #"{"dup": 1, "dup": 2}"#,
        #"{"id":"6a1f","steps":[{"role":"codegen_engineer","tokens":1200,"output":{"files":["a.py","b.py"],"ok":true}}],"spent":{"seconds":12.75}}"#,
        "[1.7976931348623157e308, 5e-324, 123456789012345678901234567890]",
    ]

    @Test(arguments: documents)
    func parsesWhatJSONDecoderParsesIntoTheSameValue(document: String) throws {
        let expected = try JSONDecoder().decode(JSONValue.self, from: Data(document.utf8))
        #expect(try JSONValue(parsing: Data(document.utf8)) == expected)
    }

    static let malformed = [
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "[1 2]", "01", "-", "1.", ".5", "1e", "+1", "NaN",
        "Infinity", "tru", "nul", "\"open", "\"bad \\x escape\"", "\"\\ud83d\"", "\"\\udc00\"", "\"tab\tinside\"", "[1] 2",
        "1e400", "{\"a\":1}}", "\u{FEFF}{}",
    ]

    @Test(arguments: malformed)
    func refusesMalformedDocumentsLikeJSONDecoder(document: String) {
        let error = #expect(throws: DecodingError.self) { try JSONValue(parsing: Data(document.utf8)) }
        if case .dataCorrupted(let context)? = error {
            #expect(context.codingPath.isEmpty)
            #expect(context.debugDescription.contains("at byte"))
        } else {
            Issue.record("expected dataCorrupted for \(document.debugDescription), got \(String(describing: error))")
        }
    }

    @Test func invalidUTF8AndDeepNestingAreRefused() {
        #expect(throws: DecodingError.self) { try JSONValue(parsing: Data([0x22, 0xFF, 0xFE, 0x22])) }
        let deep = String(repeating: "[", count: JSONValue.maximumParsingDepth + 1) + String(repeating: "]", count: JSONValue.maximumParsingDepth + 1)
        #expect(throws: DecodingError.self) { try JSONValue(parsing: Data(deep.utf8)) }
        let allowed = String(repeating: "[", count: JSONValue.maximumParsingDepth) + String(repeating: "]", count: JSONValue.maximumParsingDepth)
        #expect((try? JSONValue(parsing: Data(allowed.utf8))) != nil)
    }

    @Test func wireDecodingOfAJSONValueBodyKeepsItsErrors() {
        let malformed = #expect(throws: WireError.self) { try WireJSONDecoder.decode(JSONValue.self, from: Data("{\"a\":".utf8)) }
        #expect(malformed?.code == .invalidArgument)
        #expect(malformed?.message == "request body is not valid JSON")
        #expect((try? WireJSONDecoder.decode(JSONValue.self, from: Data(#"{"a":[1,"b"]}"#.utf8))) == .object(["a": .array([.number(1), .string("b")])]))
    }
}
