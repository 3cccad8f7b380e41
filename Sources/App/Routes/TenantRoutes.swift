import HTTP
import Tenancy

/// `GET /v1/tenant`: who am I — the tenant, its plan and limits, and the calling key's scopes.
enum TenantRoutes {
    struct TenantBody: Encodable {
        let id: String
        let name: String
        let plan: String
        let status: Tenant.Status
        let limits: PlanLimits
        let key: KeyBody

        struct KeyBody: Encodable {
            let id: String
            let scopes: [Scope]
        }
    }

    static let schema: JSONValue = [
        "type": "object",
        "required": ["id", "name", "plan", "status", "limits", "key"],
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
            "key": ["type": "object", "properties": ["id": ["type": "string"], "scopes": ["type": "array", "items": ["type": "string"]]]],
        ],
    ]

    static func register(into router: inout Router<RequestContext>) {
        router.add(.GET, "/v1/tenant", scope: nil, doc: RouteDoc(
            summary: "The calling key's tenant, plan and limits", operationID: "getTenant", tag: "tenant",
            responses: [(200, "The tenant", schema)]
        )) { _, _, context in
            let tenant = context.principal.tenant
            return try .json(TenantBody(
                id: tenant.id, name: tenant.name, plan: tenant.plan, status: tenant.status, limits: tenant.limits,
                key: .init(id: context.principal.keyID, scopes: context.principal.scopes)
            ))
        }
    }
}
