import Foundation
import Logging
import Shared

/// Finalizing: builds a run's artifacts and records them. The scaffold's tree is rebuilt from
/// the run's stored diffs (`ScaffoldTree`), committed once and published as the branch
/// `meta-builder/run-<run id>` (`BranchRepository`), zipped (`ScaffoldArchive`), and described
/// by the manifest (`RunManifest`); the ZIP, the manifest and the pull-request markdown go into
/// the content-addressed store and their rows into `run_artifacts` with the branch's row, in one
/// fenced transaction. Building again (a takeover during finalizing) gives the same bytes, the
/// same commit and the same rows.
struct ArtifactBuilder: Sendable {
    let journal: RunJournal
    let store: ArtifactStore
    let repositories: BaseRepositories
    let logger: Logger

    /// Builds and records the artifacts of the claimed run. `ArtifactError` when they cannot be
    /// built (the run should fail `artifact_error`); database errors and `LostClaim` pass through.
    func build(_ claim: RunClaim) async throws {
        let run = try await FinalizingRun.load(claim, pool: journal.pool)
        let scratch = try await scratchDirectory(for: run)
        let artifacts: RunArtifacts
        do {
            artifacts = try await assemble(run, in: scratch)
            await remove(scratch)
        } catch {
            await remove(scratch)
            // A build stopped from outside (shutdown, a lost lease) is not the artifacts' failure.
            if error is CancellationError || Task.isCancelled { throw CancellationError() }
            logger.error("building a run's artifacts failed", metadata: ["run.id": "\(run.id.lowercaseText)", "error": "\(error)"])
            throw ArtifactError(redacted("\(error)"))
        }
        try await journal.recordArtifacts(claim, artifacts)
        logger.info("run artifacts built", metadata: [
            "run.id": "\(run.id.lowercaseText)", "artifact.zip.sha256": "\(artifacts.zip.sha256)",
            "artifact.branch.commit": "\(artifacts.branch.commit)",
        ])
    }

    /// Rebuilds the tree, publishes the branch, and stores the ZIP, the pull-request body and the manifest.
    private func assemble(_ run: FinalizingRun, in scratch: String) async throws -> RunArtifacts {
        let date = "\(Int(run.createdAt.timeIntervalSince1970)) +0000"
        let tree: ScaffoldTree
        let branch: BranchRepository.Published
        var merge: RegenerationMerge?
        if let source = run.regeneration {
            // The new generation merged with the user's edits of the regenerated run's branch,
            // published beside it in the same repository.
            tree = try await ScaffoldTree.checkout(nil, of: nil, at: "\(scratch)/tree", date: date)
            let merged = try await RegenerationMerge.merge(run, from: source, in: tree, scratch: scratch)
            merge = merged.merge
            branch = try await BranchRepository(path: source.repository, kind: source.kind).publish(
                merged.commit, from: tree, branch: run.branch, baseCommit: merged.merge.userCommit, generatedCommit: merged.merge.generatedCommit
            )
        } else {
            let repository = try await BranchRepository.of(run, repositories: repositories, store: store)
            let baseCommit = try await repository.baseCommit(of: run.branch, built: run.fingerprint.baseCommit)
            tree = try await ScaffoldTree.checkout(baseCommit, of: repository.kind == .base ? repository.path : nil, at: "\(scratch)/tree", date: date)
            try await tree.apply(run.diffs, patches: scratch)
            let commit = try await tree.commit(message: run.commitMessage, scratch: scratch)
            branch = try await repository.publish(commit, from: tree, branch: run.branch, baseCommit: baseCommit)
        }
        let files = try await tree.files()
        let zipPath = "\(scratch)/scaffold.zip"
        try await ScaffoldArchive.write(files, from: tree.git.path, to: zipPath, date: run.createdAt)
        let zip = try await store.put(fileAt: zipPath)
        let pullRequest = try await store.put(run.pullRequestMarkdown(merge: merge))
        let manifest = RunManifest(
            runID: run.id.lowercaseText, specID: run.specID.lowercaseText, planID: run.planID.lowercaseText, planVersion: run.planVersion,
            fingerprint: run.fingerprint, iterations: run.iterations, scores: run.scores,
            risk: .init(score: run.riskScore, planScore: run.planRiskScore),
            tokens: .init(spent: run.tokensSpent, budget: run.tokenBudget),
            cost: run.cost,
            evaluation: .init(run.evaluation),
            isolation: IsolationEvidence(report: run.evaluation, plan: run.plan),
            branch: .init(name: branch.name, commit: branch.commit, baseCommit: branch.baseCommit),
            pullRequest: .init(title: run.pullRequest.title, markdown: .init(fileName: ArtifactKind.pullRequest.fileName(run: run.id), sha256: pullRequest.sha256, size: pullRequest.size)),
            zip: .init(fileName: ArtifactKind.zip.fileName(run: run.id), sha256: zip.sha256, size: zip.size),
            files: files,
            regeneration: merge
        )
        let manifestBlob = try await store.put(try manifest.encoded())
        return RunArtifacts(run: run.id, zip: zip, manifest: manifestBlob, pullRequest: pullRequest, branch: branch)
    }

    /// A fresh scratch directory for the run's build; an `ArtifactError` when the artifact root
    /// cannot be written (the log has why: its message names host paths).
    private func scratchDirectory(for run: FinalizingRun) async throws -> String {
        do {
            return try await store.scratchDirectory("run-\(run.id.lowercaseText)")
        } catch {
            logger.error("the artifact root cannot be written", metadata: ["run.id": "\(run.id.lowercaseText)", "error": "\(error)"])
            throw ArtifactError("the artifact store cannot be written (META_BUILDER_ARTIFACT_ROOT; the run-service's log says why)")
        }
    }

    private func remove(_ scratch: String) async {
        await FileSystemLane.run { try? FileManager.default.removeItem(atPath: scratch) }
    }

    /// A failure's text for the run's failure detail: the artifact root's path left out.
    private func redacted(_ text: String) -> String {
        text.replacingOccurrences(of: store.root, with: "<artifact root>")
    }
}
