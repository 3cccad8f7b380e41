import HTTP

/// OpenAPI descriptions of the document routes, kept apart from the handlers so each file stays
/// about one thing.
enum DocumentDocs {
    static let statusEnum: JSONValue = ["type": "string", "enum": ["queued", "processing", "ready", "failed"]]
    static let nullableString: JSONValue = ["type": ["string", "null"]]
    static let nullableInteger: JSONValue = ["type": ["integer", "null"]]
    static let nullableTime: JSONValue = ["type": ["string", "null"], "format": "date-time"]

    static let document: JSONValue = [
        "type": "object",
        "required": ["id", "collection", "status", "progress", "version", "filename", "format", "byte_size", "sha256", "created_at"],
        "properties": [
            "id": ["type": "string", "example": "doc_abcdefghij2345abcdef"],
            "collection": ["type": "string"],
            "visibility": ["type": "string", "enum": ["public", "internal"]],
            "title": nullableString,
            "source_url": nullableString,
            "metadata": ["type": "object"],
            "status": statusEnum,
            "stage": nullableString,
            "progress": ["type": "integer", "minimum": 0, "maximum": 100],
            "error": ["type": ["string", "null"], "description": "Why the newest version failed, in words for people"],
            "attempts": ["type": "integer"],
            "version": ["type": "integer", "description": "The newest version (status, progress and error are its)"],
            "active_version": ["type": ["integer", "null"], "description": "The version that answers questions"],
            "filename": ["type": "string"],
            "format": ["type": "string", "enum": ["pdf", "docx", "text", "markdown", "html", "csv", "tsv", "json", "jsonl"]],
            "media_type": ["type": "string"],
            "byte_size": ["type": "integer"],
            "sha256": ["type": "string"],
            "chunk_count": nullableInteger,
            "pages": nullableInteger,
            "timings": ["type": "object", "description": "Milliseconds per stage: parse_ms, chunk_ms, embed_ms, store_ms, total_ms"],
            "created_at": ["type": "string", "format": "date-time"],
            "updated_at": ["type": "string", "format": "date-time"],
            "queued_at": ["type": "string", "format": "date-time"],
            "started_at": nullableTime,
            "finished_at": nullableTime,
            "links": ["type": "object"],
        ],
    ]

    static let uploadContent: JSONValue = [
        "multipart/form-data": [
            "schema": [
                "type": "object", "required": ["file"],
                "properties": [
                    "file": ["type": "array", "items": ["type": "string", "format": "binary"], "description": "One or more files"],
                    "collection": ["type": "string", "description": "Collection name (default: default, created public on first use)"],
                    "title": ["type": "string"],
                    "source_url": ["type": "string", "format": "uri"],
                    "metadata": ["type": "string", "description": "A JSON object"],
                ],
            ],
        ],
        "application/octet-stream": [
            "schema": ["type": "string", "format": "binary",
                       "description": "The raw file; name it with ?filename= or Content-Disposition: attachment; filename=…"],
        ],
    ]

    static let uploadQuery: [(name: String, description: String, schema: JSONValue)] = [
        ("filename", "Raw uploads: the file's name", ["type": "string"]),
        ("collection", "Raw uploads: the collection", ["type": "string"]),
        ("title", "Raw uploads: a title", ["type": "string"]),
        ("source_url", "Raw uploads: where the document comes from", ["type": "string"]),
    ]

    static let upload = RouteDoc(
        summary: "Upload documents; they are stored and queued for ingestion (nothing slow happens in the request)",
        operationID: "uploadDocuments", tag: "documents", requestContent: uploadContent, queryParameters: uploadQuery,
        responses: [
            (202, "Stored and queued (several files: {data, duplicates})", document),
            (200, "The same bytes are already in this collection: the existing document", document),
            (413, "Larger than the tenant's plan allows", OpenAPI.problemRef),
            (415, "The sniffed type is not accepted, or contradicts the file name", OpenAPI.problemRef),
            (422, "Empty file, or invalid fields", OpenAPI.problemRef),
        ])

    static let list = RouteDoc(
        summary: "List documents, newest first", operationID: "listDocuments", tag: "documents",
        queryParameters: [
            ("collection", "Only this collection", ["type": "string"]),
            ("status", "Only documents whose newest version has this status", statusEnum),
            ("limit", "Page size, 1 to 100 (default 20)", ["type": "integer"]),
            ("cursor", "next_cursor of the previous page", ["type": "string"]),
        ],
        responses: [(200, "A page of documents", ["type": "object", "properties": [
            "data": ["type": "array", "items": document], "next_cursor": nullableString,
        ]])])

    static let get = RouteDoc(
        summary: "One document: status, progress, chunk count, pages, error reason and stage timings",
        operationID: "getDocument", tag: "documents",
        responses: [(200, "The document", document), (404, "No such document visible to this key", OpenAPI.problemRef)])

    static let chunks = RouteDoc(
        summary: "The chunks that answer for a document (its active version), in order", operationID: "listDocumentChunks",
        tag: "documents",
        queryParameters: [
            ("limit", "Page size, 1 to 500 (default 50)", ["type": "integer"]),
            ("cursor", "next_cursor of the previous page", ["type": "string"]),
        ],
        responses: [
            (200, "A page of chunks", ["type": "object", "properties": [
                "data": ["type": "array", "items": ["type": "object", "properties": [
                    "ordinal": ["type": "integer"], "text": ["type": "string"],
                    "page_start": nullableInteger, "page_end": nullableInteger,
                    "heading_path": ["type": "array", "items": ["type": "string"]],
                    "char_start": ["type": "integer"], "char_end": ["type": "integer"], "token_count": ["type": "integer"],
                ]]],
                "next_cursor": nullableString,
            ]]),
            (404, "No such document visible to this key", OpenAPI.problemRef),
        ])

    static let replace = RouteDoc(
        summary: "Upload a new version; the current one keeps answering until the new one is ready",
        operationID: "replaceDocument", tag: "documents", requestContent: uploadContent, queryParameters: uploadQuery,
        responses: [
            (202, "The new version is queued", document),
            (200, "Identical bytes: nothing changed", document),
            (404, "No such document visible to this key", OpenAPI.problemRef),
            (409, "Another document in the collection has exactly these bytes", OpenAPI.problemRef),
            (413, "Larger than the tenant's plan allows", OpenAPI.problemRef),
            (415, "The sniffed type is not accepted", OpenAPI.problemRef),
        ])

    static let delete = RouteDoc(
        summary: "Delete a document; its chunks leave search at once, also while it is being processed",
        operationID: "deleteDocument", tag: "documents",
        responses: [(204, "Deleted", nil), (404, "No such document visible to this key", OpenAPI.problemRef)])
}
