import Shared

/// A provider's failure after it had paid for completions (an invalid reply and its invalid
/// repair, or an error on the repair call): the error the caller sees and the tokens spent, so
/// the failed execution records them.
struct ProviderFailure: Error, WireErrorConvertible, CustomStringConvertible {
    /// The error as the client sees it.
    let wireError: WireError
    /// Prompt tokens of the completions made before the failure.
    let promptTokens: Int
    /// Completion tokens of the completions made before the failure.
    let completionTokens: Int
    /// The model that answered.
    let model: String

    var description: String { wireError.description }
}
