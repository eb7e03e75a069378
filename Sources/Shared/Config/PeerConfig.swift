/// Base URLs of the other services of the mesh.
public struct PeerConfig: Sendable {
    /// `META_BUILDER_SPEC_URL` (default http://127.0.0.1:8081).
    public var spec: String
    /// `META_BUILDER_RUN_URL` (default http://127.0.0.1:8082).
    public var run: String
    /// `META_BUILDER_AGENT_URL` (default http://127.0.0.1:8083).
    public var agent: String
    /// `META_BUILDER_APPROVAL_URL` (default http://127.0.0.1:8084).
    public var approval: String

    /// Creates the settings explicitly.
    public init(spec: String = "http://127.0.0.1:8081", run: String = "http://127.0.0.1:8082", agent: String = "http://127.0.0.1:8083", approval: String = "http://127.0.0.1:8084") {
        self.spec = spec
        self.run = run
        self.agent = agent
        self.approval = approval
    }

    /// Reads the settings from the environment.
    public init(reader: ConfigReader) {
        let defaults = PeerConfig()
        self.init(
            spec: reader.string("META_BUILDER_SPEC_URL") ?? defaults.spec,
            run: reader.string("META_BUILDER_RUN_URL") ?? defaults.run,
            agent: reader.string("META_BUILDER_AGENT_URL") ?? defaults.agent,
            approval: reader.string("META_BUILDER_APPROVAL_URL") ?? defaults.approval
        )
    }

    /// The service whose base URL `url` starts with (a whole path segment of it), which service
    /// tokens sent to that URL are addressed to; nil for a URL outside the mesh.
    public func service(at url: String) -> String? {
        let peers = [("spec-service", spec), ("run-service", run), ("agent-service", agent), ("approval-service", approval)]
        return peers.first { _, base in
            let base = base.hasSuffix("/") ? String(base.dropLast()) : base
            guard url.hasPrefix(base) else { return false }
            let rest = url.dropFirst(base.count)
            return rest.isEmpty || rest.hasPrefix("/") || rest.hasPrefix("?")
        }?.0
    }
}
