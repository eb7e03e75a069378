import ArgumentParser
import Shared

/// `--page-size` and `--page-token` of the list commands.
struct PageOptions: ParsableArguments {
    @Option(help: "Items per page.")
    var pageSize: Int?

    @Option(help: "The page to read (a previous page's next_page_token).")
    var pageToken: String?

    /// The query parameters.
    var query: [(String, String?)] {
        [("page_size", pageSize.map(String.init)), ("page_token", pageToken)]
    }

    /// Tells how to read the next page, when there is one.
    func hint(_ answer: APIClient.Answer, _ console: Console) {
        if case .string(let token)? = answer.json["next_page_token"] {
            console.note("more: --page-token \(token)")
        }
    }
}
