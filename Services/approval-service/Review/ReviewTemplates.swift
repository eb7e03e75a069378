import Foundation
import Mustache
import Shared

/// The review page's Mustache templates and stylesheet, read once from the service's bundle.
/// Mustache escapes every `{{value}}` for HTML; the templates use no triple braces.
struct ReviewTemplates: Sendable {
    private let library: MustacheLibrary
    /// `review.css`.
    let stylesheet: String

    /// Reads `Templates/*.mustache` and `Templates/review.css` from `bundle`.
    init(bundle: Bundle) throws {
        guard let directory = bundle.resourceURL?.appendingPathComponent("Templates") else {
            throw ConfigError(key: "Templates", reason: "the approval-service's bundle has no Templates folder")
        }
        var library = MustacheLibrary()
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".mustache") {
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            try library.register(text, named: String(name.dropLast(".mustache".count)))
        }
        self.library = library
        stylesheet = try String(contentsOf: directory.appendingPathComponent("review.css"), encoding: .utf8)
    }

    /// The templates shipped in the approval-service's bundle.
    static func bundled() throws -> ReviewTemplates {
        try ReviewTemplates(bundle: .module)
    }

    /// Renders `template` (`sign-in`, `approvals`, `review`, `problem`) with `context`.
    func render(_ context: Any, template: String) throws -> String {
        guard let html = library.render(context, withTemplate: template) else {
            throw WireError(.internal, "the review page has no template \(template)")
        }
        return html
    }
}
