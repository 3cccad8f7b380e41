/// Why a local model could not be loaded or run. Every case names the file involved, so an
/// operator can tell a missing download from a corrupt one without a debugger.
///
/// Separate from the tokenizer's `EmbedError` so that the two helpers' files stay independent;
/// both are plain `Error`s to callers.
public struct ModelError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// A required file (or the model directory itself) does not exist.
        case missingFile
        /// The file exists but is malformed: bad JSON, bad safetensors header, out-of-range offsets.
        case invalidFile
        /// The file is well formed but asks for something this engine does not implement
        /// (a non-F32 tensor, a Dense module, an activation other than gelu).
        case unsupported
    }

    public let kind: Kind
    /// Path of the offending file.
    public let file: String
    public let reason: String

    public init(_ kind: Kind, file: String, _ reason: String) {
        self.kind = kind
        self.file = file
        self.reason = reason
    }

    public var description: String {
        switch kind {
        case .missingFile: "missing model file \(file): \(reason)"
        case .invalidFile: "invalid model file \(file): \(reason)"
        case .unsupported: "unsupported model file \(file): \(reason)"
        }
    }
}
