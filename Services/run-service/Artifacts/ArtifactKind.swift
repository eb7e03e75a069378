import Foundation
import Shared

/// The blobs finalizing leaves for a run (the `kind` column of `run_artifacts`), each with the
/// media type and file name it is downloaded under.
enum ArtifactKind: String, Sendable, CaseIterable {
    /// The scaffold's files (the branch's tree) as a ZIP.
    case zip
    /// The manifest JSON (see `RunManifest`).
    case manifest
    /// The pull-request body as markdown, its title as the first heading.
    case pullRequest = "pull_request"

    /// The `Content-Type` it is served with.
    var contentType: String {
        switch self {
        case .zip: "application/zip"
        case .manifest: "application/json"
        case .pullRequest: "text/markdown; charset=utf-8"
        }
    }

    /// The file name it is downloaded as.
    func fileName(run: UUID) -> String {
        switch self {
        case .zip: "meta-builder-run-\(run.lowercaseText).zip"
        case .manifest: "meta-builder-run-\(run.lowercaseText)-manifest.json"
        case .pullRequest: "meta-builder-run-\(run.lowercaseText)-pull-request.md"
        }
    }
}

extension ArtifactKind: PostgresCodable {
    var postgresText: String { rawValue }

    init(postgresText: String) throws {
        guard let kind = ArtifactKind(rawValue: postgresText) else { throw PostgresDecodingError(type: "ArtifactKind") }
        self = kind
    }
}
