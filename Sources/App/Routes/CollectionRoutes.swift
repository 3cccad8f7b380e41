import HTTP
import Ingest
import Tenancy

/// `/v1/collections`: the groups documents live in, each public or internal.
enum CollectionRoutes {
    struct CreateBody: Decodable {
        let name: String
        let visibility: String?
    }

    struct ListBody: Encodable { let data: [CollectionRecord] }

    static let collectionSchema: JSONValue = [
        "type": "object", "required": ["id", "name", "visibility", "document_count", "created_at"],
        "properties": [
            "id": ["type": "string"], "name": ["type": "string"],
            "visibility": ["type": "string", "enum": ["public", "internal"]],
            "document_count": ["type": "integer"], "created_at": ["type": "string", "format": "date-time"],
        ],
    ]

    static func register(into router: inout Router<RequestContext>) {
        router.add(.GET, "/v1/collections", scope: .ingest, doc: RouteDoc(
            summary: "List collections (internal ones only for keys with the internal scope)", operationID: "listCollections",
            tag: "documents",
            responses: [(200, "The collections", ["type": "object", "properties": ["data": ["type": "array", "items": collectionSchema]]])]
        )) { _, _, context in
            let includeInternal = context.principal.allows(.internal)
            return try .json(ListBody(data: try context.withConnection {
                try CollectionStore.list(tenantID: context.tenantID, includeInternal: includeInternal, on: $0)
            }))
        }

        router.add(.POST, "/v1/collections", scope: .admin, maxBodyBytes: 4096, doc: RouteDoc(
            summary: "Create a collection", operationID: "createCollection", tag: "documents",
            requestSchema: ["type": "object", "required": ["name"], "properties": [
                "name": ["type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,63}$"],
                "visibility": ["type": "string", "enum": ["public", "internal"], "default": "public"],
            ]],
            responses: [
                (201, "The collection", collectionSchema),
                (409, "A collection with that name exists", OpenAPI.problemRef),
                (422, "Invalid name or visibility", OpenAPI.problemRef),
            ]
        )) { request, _, context in
            let body = try JSON.decode(CreateBody.self, from: request.body)
            guard let visibility = CollectionRecord.Visibility(rawValue: body.visibility ?? "public") else {
                throw Problem.unprocessable("visibility is public or internal.")
            }
            let record = try context.withConnection {
                try CollectionStore.create(tenantID: context.tenantID, name: body.name, visibility: visibility, on: $0)
            }
            return try .json(record, status: 201)
        }
    }
}
