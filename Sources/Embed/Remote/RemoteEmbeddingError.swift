/// Why a remote embedding call failed. Never carries the API key: provider messages are redacted
/// before they are stored (OpenAI echoes a masked key in 401 messages; other servers may echo it whole).
public enum RemoteEmbeddingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration cannot work (empty model, batch size below 1, ...); nothing was sent.
    case invalidConfiguration(String)
    /// A 4xx other than 408/429: retrying the same request cannot help (bad input, bad key, unknown model).
    case rejected(status: Int, message: String?)
    /// 408, 429 or 5xx on every attempt.
    case unavailable(status: Int, message: String?, attempts: Int)
    /// No HTTP answer on every attempt: connection refused, timeout, reset.
    case transport(String, attempts: Int)
    /// A 2xx whose body is not the documented embeddings shape.
    case malformedResponse(String)
    /// The provider returned a different number of vectors than texts sent.
    case wrongCount(expected: Int, received: Int)
    /// A vector's length differs from the configured `dimensions` (often a model/dimensions mismatch).
    case wrongDimensions(expected: Int, received: Int, index: Int)
    /// A vector with a non-finite component or zero length, which cannot be normalised.
    case invalidVector(index: Int)

    /// The HTTP status behind the failure, when there was one.
    public var status: Int? {
        switch self {
        case .rejected(let status, _), .unavailable(let status, _, _): status
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .invalidConfiguration(let reason):
            "Remote embeddings are misconfigured: \(reason)"
        case .rejected(let status, let message):
            "The embeddings provider rejected the request with HTTP \(status)" + Self.suffix(message)
        case .unavailable(let status, let message, let attempts):
            "The embeddings provider answered HTTP \(status) on all \(attempts) attempts" + Self.suffix(message)
        case .transport(let reason, let attempts):
            "The embeddings provider could not be reached in \(attempts) attempts: \(reason)"
        case .malformedResponse(let reason):
            "The embeddings provider sent a malformed response: \(reason)"
        case .wrongCount(let expected, let received):
            "The embeddings provider returned \(received) vectors for \(expected) texts"
        case .wrongDimensions(let expected, let received, let index):
            "The embeddings provider returned a vector of \(received) dimensions at index \(index); \(expected) are configured"
        case .invalidVector(let index):
            "The embeddings provider returned a zero or non-finite vector at index \(index)"
        }
    }

    private static func suffix(_ message: String?) -> String {
        guard let message, !message.isEmpty else { return "." }
        return ": \(message)"
    }
}
