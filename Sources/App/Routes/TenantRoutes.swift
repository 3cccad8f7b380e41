import HTTP
import Tenancy

/// `GET /v1/tenant`: who am I — the tenant, its plan and limits, and the calling key's scopes.
enum TenantRoutes {
    static let schema: JSONValue = [
        "type": "object",
        "required": ["id", "name", "plan", "status", "limits"],
        "properties": [
            "id": ["type": "string", "example": "ten_abcdefghij2345abcdef"],
            "name": ["type": "string"],
            "plan": ["type": "string", "enum": ["free", "pro", "enterprise"]],
            "status": ["type": "string", "enum": ["active", "disabled"]],
            "limits": [
                "type": "object",
                "properties": [
                    "requests_per_minute": ["type": "integer"], "queries_per_month": ["type": "integer"],
                    "max_documents": ["type": "integer"], "max_storage_bytes": ["type": "integer"],
                    "max_upload_bytes": ["type": "integer"], "max_api_keys": ["type": "integer"],
                ],
            ],
            "key": ["type": "object", "description": "The calling API key (absent for a signed-in user)",
                    "properties": ["id": ["type": "string"], "scopes": ["type": "array", "items": ["type": "string"]]]],
            "user": ["type": "object", "description": "The signed-in user (absent for an API key)",
                     "properties": ["id": ["type": "string"], "email": ["type": "string"], "role": ["type": "string"],
                                    "scopes": ["type": "array", "items": ["type": "string"]]]],
        ],
    ]

    static func register(into router: inout Router<RequestContext>) {
        router.add(.GET, "/v1/tenant", scope: nil, doc: RouteDoc(
            summary: "The calling key's tenant, plan and limits", operationID: "getTenant", tag: "tenant",
            responses: [(200, "The tenant", schema)]
        )) { _, _, context in
            .json(body(for: context.principal))
        }
    }

    /// Built as a JSONValue rather than through JSONEncoder: this is the route every client calls
    /// to check its key, and reflection-driven encoding was a visible share of its cost.
    static func body(for principal: Principal) -> JSONValue {
        let tenant = principal.tenant
        let limits = tenant.limits
        let scopes = JSONValue.array(principal.scopes.map { .string($0.rawValue) })
        var members: [(String, JSONValue)] = [
            ("id", .string(tenant.id)),
            ("name", .string(tenant.name)),
            ("plan", .string(tenant.plan)),
            ("status", .string(tenant.status.rawValue)),
            ("limits", [
                "requests_per_minute": .number(Double(limits.requestsPerMinute)),
                "queries_per_month": .number(Double(limits.queriesPerMonth)),
                "max_documents": .number(Double(limits.maxDocuments)),
                "max_storage_bytes": .number(Double(limits.maxStorageBytes)),
                "max_upload_bytes": .number(Double(limits.maxUploadBytes)),
                "max_api_keys": .number(Double(limits.maxAPIKeys)),
            ]),
        ]
        // A signed-in user is not a key: they are named instead, with their role.
        if let user = principal.user {
            members.append(("user", ["id": .string(user.id), "email": .string(user.email), "role": .string(user.role.rawValue),
                                     "scopes": scopes]))
        } else {
            members.append(("key", ["id": .string(principal.keyID), "scopes": scopes]))
        }
        return .object(members)
    }
}
