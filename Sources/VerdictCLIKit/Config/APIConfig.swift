/// Where the API is and how to call it: `--url`/`VERDICT_URL`, `--api-key`/`VERDICT_API_KEY`
/// (sent as `X-API-Key`), `--retries`/`VERDICT_RETRIES`.
public struct APIConfig: Sendable, Equatable {
    public var baseURL: String
    public var apiKey: String?
    /// Retries after the first try, for connection errors, 429 and 5xx.
    public var retries: Int

    public init(baseURL: String, apiKey: String?, retries: Int = 5) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.apiKey = apiKey
        self.retries = retries
    }

    static func resolve(_ arguments: ParsedArguments, environment env: Environment) throws(UsageError) -> APIConfig {
        guard let url = arguments.value("url") ?? env["VERDICT_URL"] else {
            throw UsageError("no API address: give --url URL or set VERDICT_URL (e.g. http://localhost:8080)")
        }
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw UsageError("--url must start with http:// or https://, not '\(url)'")
        }
        var retries = 5
        if let text = arguments.value("retries") ?? env["VERDICT_RETRIES"] {
            guard let number = Int(text), (0...20).contains(number) else {
                throw UsageError("--retries must be a whole number from 0 to 20, not '\(text)'")
            }
            retries = number
        }
        return APIConfig(baseURL: url, apiKey: arguments.value("api-key") ?? env["VERDICT_API_KEY"], retries: retries)
    }

    /// The dashboard page of a run, what CI logs should link to.
    public func runPage(_ runID: String) -> String { "\(baseURL)/runs/\(runID)" }

    static let options: [OptionSpec] = [
        OptionSpec("url", value: "URL", help: "the Verdict API (default: $VERDICT_URL)"),
        OptionSpec("api-key", value: "KEY", help: "an API key with the write scope (default: $VERDICT_API_KEY)"),
        OptionSpec("retries", value: "N", help: "retries on connection errors, 429 and 5xx (default 5, $VERDICT_RETRIES)"),
    ]
}
