import Foundation
import Hummingbird
import Logging
import Metrics
import Shared

/// Describes the agent-service: name, port, migrations and contract from its resource bundle.
func serviceDescriptor() throws -> ServiceDescriptor {
    try ServiceDescriptor(name: "agent-service", defaultPort: 8083, bundle: Bundle.module)
}

/// Builds the agent-service application: clients, providers, the agent registry, its routes.
func buildApplication(config: ServiceConfig, logger: Logger, metrics: MetricsRegistry = MetricsRegistry(), providerConfig: ProviderConfig? = nil, sandbox: SandboxConfig? = nil) throws -> some ApplicationProtocol {
    let runtime = ServiceRuntime(config: config, logger: logger, metrics: metrics)
    let providerConfig = try providerConfig ?? ProviderConfig()
    let sandbox = try sandbox ?? SandboxConfig()
    let prompts = try PromptLibrary()
    // The model provider and the generated app are outside the mesh: they get no service token
    // (the app could replay it against /internal/v1) and no mesh headers.
    let external = HTTPClient.external(loop: runtime.curlLoop, logger: logger)
    let providers: [any AgentProvider] = [
        DeterministicProvider(prompts: prompts),
        OpenAIProvider(
            chat: ChatCompletionClient(http: external, baseURL: providerConfig.openAIBaseURL, apiKey: providerConfig.openAIKey, timeout: .milliseconds(providerConfig.timeoutMilliseconds)),
            prompts: prompts,
            redis: runtime.redis,
            config: providerConfig,
            logger: logger,
            cacheHits: Counter(label: "meta_builder_agent_cache_hits_total", factory: metrics.factory),
            cacheMisses: Counter(label: "meta_builder_agent_cache_misses_total", factory: metrics.factory)
        ),
    ]
    // Preview credentials come from the service's own key, through HKDF: nothing derived can sign.
    let previewKey = PreviewKey(config.auth.serviceKey.derivedKey(purpose: "preview environments"))
    let registry = try AgentRegistry(sandbox: sandbox, previewKey: previewKey, http: external, logger: logger)
    let repository = AgentExecutionRepository(pool: runtime.pool)
    let inFlight = InFlightExecutions()
    let executor = AgentExecutor(
        registry: registry,
        providers: Dictionary(uniqueKeysWithValues: providers.map { ($0.name, $0) }),
        defaultProvider: providerConfig.defaultProvider,
        repository: repository,
        inFlight: inFlight,
        logger: logger
    )
    let controller = AgentController(
        executor: executor, inFlight: inFlight, registry: registry, repository: repository, providers: providers, defaultProvider: providerConfig.defaultProvider,
        cleaner: SandboxCleaner(sandbox: sandbox, previewKey: previewKey, logger: logger)
    )
    return try ServiceApplication.build(descriptor: try serviceDescriptor(), runtime: runtime) { routes in
        controller.register(routes)
    }
}
