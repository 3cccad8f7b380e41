import HTTP
import Ingest
import Tenancy

/// `/v1/documents`: upload, list, inspect, preview chunks, replace and delete a tenant's documents.
/// Uploads are stored and queued; `parley ingest` does the parsing. Keys without the `internal`
/// scope see only documents of public collections.
enum DocumentRoutes {
    struct ListBody: Encodable {
        let data: [DocumentRecord]
        let duplicates: [String]
    }

    static func audience(_ context: TenantContext) -> DocumentAudience {
        DocumentAudience(tenantID: context.tenantID, includeInternal: context.principal.allows(.internal))
    }

    /// A malformed id is a 404 without a database round trip.
    static func documentID(_ parameters: Parameters) throws -> String {
        let id = try parameters.require("id")
        guard Identifier.isValid(id, kind: .document) else { throw Problem.notFound("No document \(id).") }
        return id
    }

    static func register(into router: inout Router<RequestContext>) {
        router.add(.POST, "/v1/documents", scope: .ingest, readsOwnBody: true, doc: DocumentDocs.upload) { request, _, context in
            let upload = try DocumentUpload.read(request, context: context, requireSingleFile: false)
            let limits = context.principal.tenant.limits
            let results = try context.withConnection { connection in
                try upload.files.map { file in
                    try DocumentStore.create(file, collection: upload.collection, audience: audience(context), limits: limits, on: connection)
                }
            }
            let anyCreated = results.contains { $0.created }
            if results.count == 1, let only = results.first {
                var response = try Response.json(only.record, status: only.created ? 202 : 200)
                response.setHeader("Location", "/v1/documents/\(only.record.id)")
                return response
            }
            return try .json(ListBody(data: results.map(\.record), duplicates: results.filter { !$0.created }.map(\.record.id)),
                             status: anyCreated ? 202 : 200)
        }

        router.add(.GET, "/v1/documents", scope: .ingest, doc: DocumentDocs.list) { request, _, context in
            var filter = DocumentStore.ListFilter()
            filter.collection = request.query["collection"]
            if let status = request.query["status"] {
                guard let parsed = DocumentRecord.Status(rawValue: status) else {
                    throw Problem.badRequest("status is one of queued, processing, ready, failed.")
                }
                filter.status = parsed
            }
            if let limit = request.query["limit"] {
                guard let value = Int(limit), (1...100).contains(value) else { throw Problem.badRequest("limit is 1 to 100.") }
                filter.limit = value
            }
            if let cursor = request.query["cursor"] {
                guard Identifier.isValid(cursor, kind: .document) else { throw Problem.badRequest("cursor is not one this API returned.") }
                filter.after = cursor
            }
            return try .json(try context.withConnection { try DocumentStore.list(filter, audience: audience(context), on: $0) })
        }

        router.add(.GET, "/v1/documents/{id}", scope: .ingest, doc: DocumentDocs.get) { _, parameters, context in
            let id = try documentID(parameters)
            return try .json(try context.withConnection { try DocumentStore.find(id: id, audience: audience(context), on: $0) })
        }

        router.add(.GET, "/v1/documents/{id}/chunks", scope: .ingest, doc: DocumentDocs.chunks) { request, parameters, context in
            let id = try documentID(parameters)
            var after: Int?
            if let cursor = request.query["cursor"] {
                guard let value = Int(cursor), value >= 0 else { throw Problem.badRequest("cursor is not one this API returned.") }
                after = value
            }
            var limit = 50
            if let text = request.query["limit"] {
                guard let value = Int(text), (1...500).contains(value) else { throw Problem.badRequest("limit is 1 to 500.") }
                limit = value
            }
            return try .json(try context.withConnection {
                try DocumentStore.chunks(of: id, audience: audience(context), afterOrdinal: after, limit: limit, on: $0)
            })
        }

        router.add(.PUT, "/v1/documents/{id}", scope: .ingest, readsOwnBody: true, doc: DocumentDocs.replace) { request, parameters, context in
            let id = try documentID(parameters)
            let upload = try DocumentUpload.read(request, context: context, requireSingleFile: true)
            guard let file = upload.files.first else { throw Problem.unprocessable("Send exactly one file.") }
            let limits = context.principal.tenant.limits
            let (record, changed) = try context.withConnection {
                try DocumentStore.replace(id: id, with: file, audience: audience(context), limits: limits, on: $0)
            }
            return try .json(record, status: changed ? 202 : 200)
        }

        router.add(.DELETE, "/v1/documents/{id}", scope: .ingest, doc: DocumentDocs.delete) { _, parameters, context in
            let id = try documentID(parameters)
            try context.withConnection { try DocumentStore.delete(id: id, audience: audience(context), on: $0) }
            return Response(status: 204, headers: [], body: .bytes([]))
        }
    }
}
