import FoundationEssentials

/// The provider's own explanation from an error body. OpenAI, Azure, Anthropic and Ollama's `/v1`
/// all answer `{"error": {"message": ..., "type": ...}}`; some servers send `{"error": "..."}`, and
/// proxies send HTML or text. Cut to 300 characters; the caller redacts the key. Shared by the
/// embedding and LLM providers.
public enum ProviderErrorMessage {
    private struct Envelope: Decodable {
        let error: Detail
        struct Detail: Decodable {
            let message: String?
            let type: String?
        }
    }

    private struct Bare: Decodable { let error: String }

    public static func extract(from body: [UInt8]) -> String? {
        let data = Data(body)
        let message: String
        if let envelope = try? JSONDecoder().decode(Envelope.self, from: data) {
            message = [envelope.error.message, envelope.error.type.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ")
        } else if let bare = try? JSONDecoder().decode(Bare.self, from: data) {
            message = bare.error
        } else {
            message = String(decoding: body, as: UTF8.self).split(whereSeparator: \.isNewline).joined(separator: " ")
        }
        guard !message.isEmpty else { return nil }
        return message.count > 300 ? String(message.prefix(300)) + "…" : message
    }
}
