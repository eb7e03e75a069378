/// The Reviewer's input: what a run produced.
public struct RunSummary: Codable, Sendable, Equatable {
    public var runID: String
    public var plan: ScaffoldPlan
    public var files: [String]
    public var iterations: Int
    public var testsPassed: Int
    public var testsFailed: Int
    public var score: Int
    public var branch: String?

    /// Creates a summary.
    public init(runID: String, plan: ScaffoldPlan, files: [String], iterations: Int, testsPassed: Int, testsFailed: Int, score: Int, branch: String? = nil) {
        self.runID = runID
        self.plan = plan
        self.files = files
        self.iterations = iterations
        self.testsPassed = testsPassed
        self.testsFailed = testsFailed
        self.score = score
        self.branch = branch
    }

    enum CodingKeys: String, CodingKey {
        case plan, files, iterations, score, branch
        case runID = "run_id"
        case testsPassed = "tests_passed"
        case testsFailed = "tests_failed"
    }
}

/// The Reviewer's output.
public struct PullRequestBody: Codable, Sendable, Equatable {
    /// The PR title.
    public var title: String
    /// The PR body (markdown).
    public var markdown: String
    /// A model reviewer's own view of the run's risk; none from the rule-based reviewer.
    public var risk: ReviewerRisk?

    /// Creates a body.
    public init(title: String, markdown: String, risk: ReviewerRisk? = nil) {
        self.title = title
        self.markdown = markdown
        self.risk = risk
    }
}

/// A reviewer's risk score (0-100) and why: it may raise a run's rule-based score, never lower it.
public struct ReviewerRisk: Codable, Sendable, Equatable {
    /// The score the reviewer gives.
    public var score: Int
    /// One sentence why.
    public var reason: String

    /// Creates an assessment.
    public init(score: Int, reason: String) {
        self.score = score
        self.reason = reason
    }
}
