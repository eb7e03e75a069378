import Foundation

/// What finalizing built for a run: the three blobs in the store and the published branch.
struct RunArtifacts: Sendable, Equatable {
    let run: UUID
    let zip: ArtifactStore.Blob
    let manifest: ArtifactStore.Blob
    let pullRequest: ArtifactStore.Blob
    let branch: BranchRepository.Published

    /// The blobs by kind, in the order they are listed.
    var blobs: [(kind: ArtifactKind, blob: ArtifactStore.Blob)] {
        [(.manifest, manifest), (.pullRequest, pullRequest), (.zip, zip)]
    }
}
