import HTTP
import Tenancy

/// `/v1/keys`: a tenant's admins list, create and revoke the tenant's API keys.
/// Keys are addressed by id (`key_…`) or by their visible prefix (`pk_live_…`).
enum KeyRoutes {
    struct CreateBody: Decodable {
        let name: String
        let scopes: [String]
    }

    /// The one response that carries the secret: shown now, never again.
    struct CreatedBody: Encodable {
        let record: KeyRecord
        let key: String

        func encode(to encoder: any Encoder) throws {
            try record.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(key, forKey: .key)
        }

        enum CodingKeys: String, CodingKey { case key }
    }

    struct ListBody: Encodable { let data: [KeyRecord] }

    static let keySchema: JSONValue = [
        "type": "object",
        "required": ["id", "name", "prefix", "scopes", "created_at"],
        "properties": [
            "id": ["type": "string", "example": "key_abcdefghij2345abcdef"],
            "name": ["type": "string"],
            "prefix": ["type": "string", "example": "pk_live_AbCd1234"],
            "scopes": ["type": "array", "items": ["type": "string", "enum": .array(Scope.names.map { .string($0) })]],
            "created_at": ["type": "string", "format": "date-time"],
            "last_used_at": ["type": ["string", "null"], "format": "date-time"],
            "revoked_at": ["type": ["string", "null"], "format": "date-time"],
        ],
    ]

    static func register(into router: inout Router<RequestContext>) {
        router.add(.GET, "/v1/keys", scope: .admin, doc: RouteDoc(
            summary: "List the tenant's API keys (secrets are never shown)", operationID: "listKeys", tag: "keys",
            responses: [(200, "The keys, newest first", ["type": "object", "properties": ["data": ["type": "array", "items": keySchema]]])]
        )) { _, _, context in
            try .json(ListBody(data: try context.withConnection { try KeyStore.list(tenantID: context.tenantID, on: $0) }))
        }

        router.add(.POST, "/v1/keys", scope: .admin, maxBodyBytes: 16 * 1024, doc: RouteDoc(
            summary: "Create an API key; the response is the only time the key is shown", operationID: "createKey", tag: "keys",
            requestSchema: [
                "type": "object", "required": ["name", "scopes"],
                "properties": [
                    "name": ["type": "string", "minLength": 1, "maxLength": 100],
                    "scopes": ["type": "array", "minItems": 1, "items": ["type": "string", "enum": .array(Scope.names.map { .string($0) })]],
                ],
            ],
            responses: [
                (201, "The new key, with its secret in `key`", ["allOf": [keySchema, ["type": "object", "properties": ["key": ["type": "string"]]]]]),
                (403, "The plan's key limit is reached", OpenAPI.problemRef),
                (422, "Invalid name or scopes", OpenAPI.problemRef),
            ]
        )) { request, _, context in
            let body = try JSON.decode(CreateBody.self, from: request.body)
            let scopes = try Scope.parseList(body.scopes)
            let (record, secret) = try context.withConnection {
                try KeyStore.create(tenantID: context.tenantID, name: body.name, scopes: scopes, on: $0)
            }
            var response = try Response.json(CreatedBody(record: record, key: secret), status: 201)
            response.setHeader("Location", "/v1/keys/\(record.id)")
            response.setHeader("Cache-Control", "no-store")
            return response
        }

        router.add(.GET, "/v1/keys/{id}", scope: .admin, doc: RouteDoc(
            summary: "One API key, by id or prefix", operationID: "getKey", tag: "keys",
            responses: [(200, "The key", keySchema), (404, "No such key in this tenant", OpenAPI.problemRef)]
        )) { _, parameters, context in
            let reference = try parameters.require("id")
            return try .json(try context.withConnection { try KeyStore.find(tenantID: context.tenantID, reference: reference, on: $0) })
        }

        router.add(.DELETE, "/v1/keys/{id}", scope: .admin, doc: RouteDoc(
            summary: "Revoke an API key, by id or prefix; effective on the next request", operationID: "revokeKey", tag: "keys",
            responses: [(200, "The revoked key", keySchema), (404, "No such key in this tenant", OpenAPI.problemRef)]
        )) { _, parameters, context in
            let reference = try parameters.require("id")
            let revoked = try context.withConnection { try KeyStore.revoke(tenantID: context.tenantID, reference: reference, on: $0) }
            // Committed; now every worker of the pool drops its cached keys before this response
            // leaves, so the key fails on the very next request wherever it lands.
            context.base.authenticator.epoch.bump()
            return try .json(revoked)
        }
    }
}
