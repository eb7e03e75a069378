import Foundation
import Logging
import Testing
@testable import Shared

/// JSON log lines and PII redaction in the handler.
@Suite struct ObservabilityTests {
    @Test(arguments: [
        ("contact jane.doe+crm@example.co.uk now", "jane.doe"),
        ("call +1 (555) 123-4567 today", "555"),
        ("call 555-123-4567 today", "123-4567"),
        ("Authorization: Bearer abc.def-ghi_jkl", "abc.def"),
        ("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl here", "eyJhbGci"),
        ("postgres://spec_svc:s3cret@127.0.0.1:5432/meta_builder", "s3cret"),
    ])
    func piiAndCredentialsAreRedacted(text: String, secret: String) {
        let redacted = Redactor.redact(text)
        #expect(!redacted.contains(secret), "\(redacted)")
        #expect(redacted.contains("[REDACTED"))
    }

    @Test(arguments: [
        "run 3f2b8c1e-1234-4a5b-9c8d-123456789012 finished",
        "at 2026-11-25T16:20:51Z took 1500 ms",
        "version 1.2.3 of 42 items",
    ])
    func ordinaryTextIsLeftAlone(text: String) {
        #expect(Redactor.redact(text) == text)
    }

    @Test func handlerWritesOneRedactedJSONObjectPerLine() throws {
        let sink = LogSink.memory()
        var logger = Logger(label: "spec-service") { JSONLogHandler(label: $0, level: .info, sink: sink) }
        logger[metadataKey: "trace.id"] = "0af7651916cd43dd8448eb211c80319c"
        logger[metadataKey: "tenant.id"] = "3f2b8c1e-1234-4a5b-9c8d-123456789012"
        // A JWT `sub` may be an e-mail address: an id, but not a generated one.
        logger[metadataKey: "user.id"] = "carol@example.com"
        logger.info("created spec for bob@example.com", metadata: ["spec.title": "CRM for +44 20 7946 0958"])
        logger.debug("not written at info level")
        #expect(sink.captured.count == 1)
        let line = try #require(sink.captured.first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["service"] as? String == "spec-service")
        #expect(object["level"] as? String == "info")
        #expect(object["trace.id"] as? String == "0af7651916cd43dd8448eb211c80319c")
        #expect(object["tenant.id"] as? String == "3f2b8c1e-1234-4a5b-9c8d-123456789012")
        #expect(object["user.id"] as? String == "[REDACTED_EMAIL]")
        #expect(object["msg"] as? String == "created spec for [REDACTED_EMAIL]")
        #expect((object["spec.title"] as? String)?.contains("7946") == false)
        #expect(object["ts"] is String)
    }

    @Test func metricsRegistryRendersPrometheusText() {
        let metrics = MetricsRegistry()
        let counter = metrics.registry.makeCounter(name: "meta_builder_test_total", labels: [("kind", "a")])
        counter.increment(by: Int64(3))
        #expect(metrics.render().contains(#"meta_builder_test_total{kind="a"} 3"#))
    }
}
