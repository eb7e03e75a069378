import Foundation

/// An `Accept` header as RFC 9110 §12.5.1 reads it: media ranges (`type/subtype`, `type/*`,
/// `*/*`) with `q` weights; the most specific range that matches a media type gives its weight.
struct AcceptHeader: Sendable {
    private struct Range {
        var type: Substring
        var subtype: Substring
        var quality: Double
    }

    private let ranges: [Range]

    /// Reads the header's values (none: everything is acceptable).
    init(_ values: [String]) {
        ranges = values.flatMap { $0.split(separator: ",") }.compactMap { element in
            let parts = element.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            let media = (parts.first ?? "").lowercased().split(separator: "/", omittingEmptySubsequences: false)
            guard media.count == 2, !media[0].isEmpty, !media[1].isEmpty else { return nil }
            var quality = 1.0
            for parameter in parts.dropFirst() where parameter.lowercased().hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)).map { min(max($0, 0), 1) } ?? 0
            }
            return Range(type: media[0], subtype: media[1], quality: quality)
        }
    }

    /// The weight the header gives `mediaType` (`type/subtype`, lower case): 1 without a
    /// header, 0 when no range matches.
    func quality(of mediaType: String) -> Double {
        guard !ranges.isEmpty else { return 1 }
        let media = mediaType.split(separator: "/")
        var best: (specificity: Int, quality: Double) = (-1, 0)
        for range in ranges {
            let specificity: Int
            if range.type == media[0] && range.subtype == media[1] {
                specificity = 2
            } else if range.type == media[0] && range.subtype == "*" {
                specificity = 1
            } else if range.type == "*" && range.subtype == "*" {
                specificity = 0
            } else {
                continue
            }
            if specificity > best.specificity { best = (specificity, range.quality) }
        }
        return best.quality
    }
}
