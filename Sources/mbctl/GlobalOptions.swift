import ArgumentParser

/// The options every command takes: where the API is, who calls, and the output format.
struct GlobalOptions: ParsableArguments {
    @Option(help: "The gateway's URL, for every service (else META_BUILDER_<SERVICE>_URL or META_BUILDER_URL, else the config file's, else http://127.0.0.1:8080).")
    var url: String?

    @Option(help: "The bearer token (else META_BUILDER_TOKEN, else the config file's `token`).")
    var token: String?

    @Flag(help: "Print the API's JSON answer instead of a table, for scripts.")
    var json = false

    /// The settings, the API client and the console of one command.
    func context() throws -> CommandContext {
        let settings = try Settings.resolve(url: url, token: token)
        return CommandContext(client: APIClient(settings: settings), console: Console(json: json))
    }
}
