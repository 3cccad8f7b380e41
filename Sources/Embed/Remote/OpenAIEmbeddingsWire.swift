/// The JSON of OpenAI's `POST /embeddings`, as documented and as compatible servers copy it.
/// Only the fields Parley reads are decoded, so extra fields from other servers are ignored.
enum OpenAIEmbeddingsWire {
    struct Request: Encodable {
        let model: String
        let input: [String]
        /// Asked for explicitly: some servers default to base64 when the official client is used.
        let encodingFormat = "float"
        /// Omitted when nil (synthesised `encodeIfPresent`): models without shortening reject the field.
        let dimensions: Int?

        enum CodingKeys: String, CodingKey {
            case model, input, dimensions
            case encodingFormat = "encoding_format"
        }
    }

    struct Response: Decodable {
        let data: [Item]
    }

    struct Item: Decodable {
        let index: Int
        let embedding: [Float]
    }
}
