/// Why a tokenizer (or another part of the local embedding engine) could not be set up.
///
/// Every case names the file involved, so an operator can tell a model directory that was never
/// downloaded from one that is half-written or from a different model family. Thrown only at load
/// time: once a `WordPieceTokenizer` exists, encoding cannot fail (unknown text becomes `[UNK]`).
public enum EmbedError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A required file does not exist (or is not a regular, readable file).
    case missingFile(path: String)
    /// The file exists but cannot be used: invalid JSON, an empty vocabulary, no `[CLS]` token.
    case corruptFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .missingFile(let path): "missing file \(path)"
        case .corruptFile(let path, let reason): "corrupt file \(path): \(reason)"
        }
    }

    /// The path the error is about, for logs and `parley doctor`.
    public var path: String {
        switch self {
        case .missingFile(let path), .corruptFile(let path, _): path
        }
    }
}
