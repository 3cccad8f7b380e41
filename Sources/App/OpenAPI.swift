import HTTP

/// Builds the OpenAPI 3.1 document from the route table itself, so the published API description
/// lists exactly the routes that exist, with the scopes they enforce.
public enum OpenAPI {
    static let problemRef: JSONValue = ["$ref": "#/components/schemas/Problem"]

    public static func document(for table: RouteTable<RequestContext>, version: String) -> JSONValue {
        var paths: [(String, JSONValue)] = []
        for route in table.routes {
            let operation = operationObject(route)
            if let index = paths.firstIndex(where: { $0.0 == route.template }), case .object(var methods) = paths[index].1 {
                methods.append((route.method.rawValue.lowercased(), operation))
                paths[index].1 = .object(methods)
            } else {
                paths.append((route.template, .object([(route.method.rawValue.lowercased(), operation)])))
            }
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Parley API",
                "version": .string(version),
                "description": "Grounded answers from a tenant's documents. Errors are RFC 9457 problem documents.",
            ],
            "servers": [["url": "/"]],
            "paths": .object(paths),
            "components": [
                "securitySchemes": [
                    "bearer": ["type": "http", "scheme": "bearer", "description": "An API key: Authorization: Bearer pk_live_…"],
                    "apiKeyHeader": ["type": "apiKey", "in": "header", "name": "X-API-Key"],
                    "session": [
                        "type": "apiKey", "in": "cookie", "name": "parley_session",
                        "description": "An admin-console session (POST /v1/auth/login); state-changing requests also need X-CSRF-Token",
                    ],
                ],
                "schemas": [
                    "Problem": [
                        "type": "object",
                        "required": ["type", "title", "status", "detail", "request_id"],
                        "properties": [
                            "type": ["type": "string", "format": "uri-reference"],
                            "title": ["type": "string"],
                            "status": ["type": "integer"],
                            "detail": ["type": "string"],
                            "instance": ["type": "string"],
                            "request_id": ["type": "string"],
                        ],
                    ],
                ],
            ],
        ]
    }

    private static func operationObject(_ route: Route<RequestContext>) -> JSONValue {
        let doc = route.doc
        var responses: [(String, JSONValue)] = doc.responses.map { response in
            let isProblem = response.status >= 400
            var object: [(String, JSONValue)] = [("description", .string(response.description))]
            if let schema = response.schema {
                object.append(("content", .object([(isProblem ? "application/problem+json" : "application/json", ["schema": schema])])))
            }
            return (String(response.status), .object(object))
        }
        func addProblem(_ status: Int, _ description: String) {
            guard !responses.contains(where: { $0.0 == String(status) }) else { return }
            responses.append((String(status), ["description": .string(description), "content": ["application/problem+json": ["schema": problemRef]]]))
        }
        var operation: [(String, JSONValue)] = [
            ("operationId", .string(doc.operationID)),
            ("summary", .string(doc.summary)),
            ("tags", [.string(doc.tag)]),
        ]
        if doc.scope == "session" {
            operation.append(("security", [["session": []]]))
            addProblem(401, "No valid session")
            addProblem(403, "Missing or wrong X-CSRF-Token, or the tenant is disabled")
            addProblem(503, "The database is unavailable")
        } else if let scope = doc.scope {
            operation.append(("security", [["bearer": []], ["apiKeyHeader": []], ["session": []]]))
            operation.append(("x-parley-scope", .string(scope)))
            addProblem(401, "Missing, malformed, unknown or revoked API key, or no valid session")
            addProblem(403, scope == "any" ? "The tenant is disabled, or a missing X-CSRF-Token"
                : "The key lacks the '\(scope)' scope, the user's role does not allow it, a missing X-CSRF-Token, or the tenant is disabled")
            addProblem(503, "The database is unavailable")
        } else {
            operation.append(("security", []))
        }
        if let schema = doc.requestSchema {
            operation.append(("requestBody", ["required": true, "content": ["application/json": ["schema": schema]]]))
            addProblem(400, "Malformed JSON")
            addProblem(413, "Body too large")
            addProblem(415, "Body is not JSON")
        } else if let content = doc.requestContent {
            operation.append(("requestBody", ["required": true, "content": content]))
        }
        let pathNames = route.segments.compactMap { segment -> String? in
            if case .parameter(let name) = segment { return name }
            return nil
        }
        let parameters: [JSONValue] = pathNames.map { ["name": .string($0), "in": "path", "required": true, "schema": ["type": "string"]] }
            + doc.queryParameters.map { ["name": .string($0.name), "in": "query", "description": .string($0.description), "schema": $0.schema] }
        if !parameters.isEmpty { operation.append(("parameters", .array(parameters))) }
        operation.append(("responses", .object(responses)))
        return .object(operation)
    }
}
