/// What a command works with.
struct CommandContext: Sendable {
    /// The API.
    let client: APIClient
    /// The output.
    let console: Console
}
