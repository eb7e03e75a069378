import Foundation
import Logging
import Synchronization

/// A swift-log handler that writes one JSON object per line to stdout, with the logger's and the
/// call's metadata (dotted keys such as `trace.id`, `tenant.id`, `request.id`), every string
/// redacted of PII and credentials.
public struct JSONLogHandler: LogHandler {
    /// The logger label (the service name).
    public let label: String
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let sink: LogSink

    /// Creates a handler writing to stdout.
    public init(label: String, level: Logger.Level) {
        self.init(label: label, level: level, sink: .standardOutput)
    }

    /// Creates a handler writing to a given sink (tests read it back).
    public init(label: String, level: Logger.Level, sink: LogSink) {
        self.label = label
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: Any] = [
            "ts": Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(Date()),
            "level": event.level.rawValue,
            "service": label,
            "msg": Redactor.redact(event.message.description),
        ]
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        for (key, value) in merged {
            // Generated identifiers (UUIDs, trace and span ids) are never PII and must stay
            // greppable; any other id (a user id may be an e-mail address) is redacted like text.
            fields[key] = key.hasSuffix(".id") && Self.isGeneratedIdentifier(value.description) ? value.description : Self.json(value)
        }
        if event.level >= .error { fields["source"] = "\(event.file):\(event.line)" }
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        sink.write(data + Data("\n".utf8))
    }

    /// Hex digits in dash-separated groups, at least 8 in all: a UUID, a trace or span id.
    private static func isGeneratedIdentifier(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        return text.count >= 8 && groups.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isHexDigit) }
    }

    private static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): Redactor.redact(text)
        case .stringConvertible(let convertible): Redactor.redact(convertible.description)
        case .array(let values): values.map(json)
        case .dictionary(let values): values.mapValues(json)
        }
    }
}

/// Where JSON log lines go.
public final class LogSink: Sendable {
    private let lines = Mutex<[String]?>(nil)
    private let toStandardOutput: Bool

    private init(toStandardOutput: Bool) {
        self.toStandardOutput = toStandardOutput
        if !toStandardOutput { lines.withLock { $0 = [] } }
    }

    /// The process's standard output.
    public static let standardOutput = LogSink(toStandardOutput: true)

    /// An in-memory sink whose lines can be read back.
    public static func memory() -> LogSink { LogSink(toStandardOutput: false) }

    /// The lines written so far (memory sinks only).
    public var captured: [String] { lines.withLock { $0 ?? [] } }

    func write(_ data: Data) {
        if toStandardOutput {
            FileHandle.standardOutput.write(data)
        } else {
            lines.withLock { $0?.append(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)) }
        }
    }
}
