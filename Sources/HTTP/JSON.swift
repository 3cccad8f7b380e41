import FoundationEssentials

/// JSON in and out with one set of conventions: snake_case keys are spelled out in CodingKeys by each
/// type, dates are RFC 3339 UTC, output keys are sorted so responses are stable and diffable.
public enum JSON {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return Array(try encoder.encode(value))
    }

    /// Decodes a request body, turning every failure into a 400 problem that names what is wrong
    /// (the field path and the expected type), so clients can fix their request without guessing.
    public static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8]) throws(Problem) -> T {
        guard !body.isEmpty else {
            throw Problem.badRequest("The request body is empty; a JSON object was expected.", type: "malformed-json")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(T.self, from: Data(body))
        } catch let error as DecodingError {
            throw Problem.badRequest(describe(error), type: "malformed-json")
        } catch let error as Problem {
            throw error
        } catch {
            throw Problem.badRequest("The request body is not valid JSON.", type: "malformed-json")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            guard !codingPath.isEmpty else { return "the body" }
            var text = ""
            for key in codingPath {
                if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return "'\(text)'"
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = context.codingPath.isEmpty ? "" : " in \(path(context.codingPath))"
            return "Field '\(key.stringValue)' is required\(parent)."
        case .typeMismatch(let type, let context):
            return "Field \(path(context.codingPath)) has the wrong type: expected \(jsonTypeName(type))."
        case .valueNotFound(let type, let context):
            return "Field \(path(context.codingPath)) must not be null: expected \(jsonTypeName(type))."
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "The request body is not valid JSON." }
            return "Field \(path(context.codingPath)) is invalid: \(context.debugDescription)"
        @unknown default:
            return "The request body could not be decoded."
        }
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is [Any].Type: "an array"
        default: type is any Collection.Type ? "an array" : "an object"
        }
    }
}

extension Response {
    /// A JSON response from any Encodable value.
    public static func json<T: Encodable>(_ value: T, status: Int = 200) throws -> Response {
        Response(status: status, headers: [("Content-Type", "application/json")], body: .bytes(try JSON.encode(value)))
    }

    public static func json(_ value: JSONValue, status: Int = 200) -> Response {
        Response(status: status, headers: [("Content-Type", "application/json")], body: .bytes(value.serialized()))
    }
}
