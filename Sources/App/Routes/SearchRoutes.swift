import HTTP
import Search
import Tenancy

/// `POST /v1/search`: hybrid BM25 + dense search over the tenant's chunks.
enum SearchRoutes {
    struct Body: Decodable {
        let query: String
        let collections: [String]?
        let topK: Int?
        let mode: String?
        let filters: Filters?

        struct Filters: Decodable {
            let documentIDs: [String]?
            enum CodingKeys: String, CodingKey { case documentIDs = "document_ids" }
        }

        enum CodingKeys: String, CodingKey {
            case query, collections, mode, filters
            case topK = "top_k"
        }
    }

    static let hitSchema: JSONValue = [
        "type": "object",
        "properties": [
            "chunk_id": ["type": "string"], "document_id": ["type": "string"], "title": ["type": ["string", "null"]],
            "filename": ["type": "string"], "source_url": ["type": ["string", "null"]], "collection": ["type": "string"], "ordinal": ["type": "integer"],
            "page_start": ["type": ["integer", "null"]], "page_end": ["type": ["integer", "null"]],
            "heading_path": ["type": "array", "items": ["type": "string"]],
            "text": ["type": "string"], "snippet": ["type": "string"],
            "highlights": ["type": "array", "items": ["type": "array", "items": ["type": "integer"]],
                           "description": "[start, end) offsets in Unicode scalars of snippet"],
            "score": ["type": "number"],
            "scores": ["type": "object", "description": "fused, bm25, bm25_rank, dense, dense_rank (null when a signal missed)"],
        ],
    ]

    static func register(into router: inout Router<RequestContext>) {
        router.add(.POST, "/v1/search", scope: .query, maxBodyBytes: 16 * 1024, doc: RouteDoc(
            summary: "Search the tenant's documents: BM25 and dense similarity fused by reciprocal rank", operationID: "search",
            tag: "search",
            requestSchema: [
                "type": "object", "required": ["query"],
                "properties": [
                    "query": ["type": "string", "minLength": 1, "maxLength": 1000],
                    "collections": ["type": "array", "items": ["type": "string"]],
                    "top_k": ["type": "integer", "minimum": 1, "maximum": 100, "default": 10],
                    "mode": ["type": "string", "enum": ["hybrid", "bm25", "dense"], "default": "hybrid"],
                    "filters": ["type": "object", "properties": ["document_ids": ["type": "array", "items": ["type": "string"]]]],
                ],
            ],
            responses: [
                (200, "Ranked chunks", ["type": "object", "properties": [
                    "data": ["type": "array", "items": hitSchema], "path": ["type": "string"], "took_ms": ["type": "number"],
                ]]),
                (422, "Invalid query, top_k or mode", OpenAPI.problemRef),
            ]
        )) { request, _, context in
            let body = try JSON.decode(Body.self, from: request.body)
            guard let mode = SearchRequest.Mode(rawValue: body.mode ?? "hybrid") else {
                throw Problem.unprocessable("mode is hybrid, bm25 or dense.")
            }
            let search = SearchRequest(query: body.query, collections: body.collections, documentIDs: body.filters?.documentIDs,
                                       topK: body.topK ?? 10, mode: mode, candidates: 100)
            guard (1...100).contains(body.topK ?? 10) else { throw Problem.unprocessable("top_k is 1 to 100.") }
            let audience = SearchAudience(tenantID: context.tenantID, includeInternal: context.principal.allows(.internal))
            let searcher = context.base.searcher
            return try .json(try context.withConnection { try searcher.search(search, audience: audience, on: $0) })
        }
    }
}
