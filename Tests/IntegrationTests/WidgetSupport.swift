import FoundationEssentials
import HTTP
import TestSupport

/// A browser on some origin talking to the public widget endpoints through nginx, from its own
/// loopback address (nginx rate-limits /v1/public/ per client IP; each test gets its own budget).
struct Visitor {
    let address: String
    let origin: String?

    static let shop = "https://shop.example"

    func send(_ method: String, _ path: String, json: String? = nil, token: String? = nil,
              headers extra: [(String, String)] = []) throws -> HTTPClient.Reply {
        var headers = extra
        if let origin { headers.append(("Origin", origin)) }
        if let token { headers.append(("X-Visitor-Token", token)) }
        if json != nil { headers.append(("Content-Type", "application/json")) }
        return try TestStack.send(method, path, headers: headers, body: json.map { Array($0.utf8) }, from: address)
    }

    func ask(_ widget: String, _ question: String, conversation: String? = nil, token: String? = nil,
             stream: Bool = false) throws -> HTTPClient.Reply {
        var body: [(String, JSONValue)] = [("question", .string(question))]
        if let conversation { body.append(("conversation_id", .string(conversation))) }
        if let token { body.append(("visitor_token", .string(token))) }
        return try send("POST", "/v1/public/widgets/\(widget)/query", json: String(decoding: JSONValue.object(body).serialized(), as: UTF8.self),
                        headers: stream ? [("Accept", "text/event-stream")] : [])
    }
}

enum Widgets {
    struct NotCreated: Error, CustomStringConvertible { let description: String }

    /// Creates a widget through the admin API and returns its id.
    static func create(_ adminKey: String, json: String = #"{"name":"Shop","allowed_origins":["https://shop.example"]}"#) throws -> String {
        let reply = try TestStack.send("POST", "/v1/widgets", key: adminKey, json: json)
        guard reply.status == 201, case .string(let id)? = reply.json?["id"] else {
            throw NotCreated(description: "widget not created: \(reply.status) \(reply.text)")
        }
        return id
    }

    static func string(_ value: JSONValue?) -> String? {
        if case .string(let text)? = value { text } else { nil }
    }

    /// The events of a buffered text/event-stream body: (event, data).
    static func events(_ body: String) -> [(String, String)] {
        body.components(separatedBy: "\n\n").compactMap { frame in
            var event = "message", data: [String] = []
            for line in frame.split(separator: "\n") {
                if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
            }
            return data.isEmpty ? nil : (event, data.joined(separator: "\n"))
        }
    }
}
