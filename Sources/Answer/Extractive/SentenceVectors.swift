import Embed
import Store

/// Reads the sentence vectors ingestion stored with each chunk (`chunks.sentence_vectors`, layout
/// in `SentenceVectorCoding`) for the chunks a search returned, so the extractive generator can
/// score sentences without running the model at question time.
public enum SentenceVectors {
    /// One query for all the chunks, `tenant_id` in its WHERE clause (RLS is the second wall when
    /// `connection` is inside `withTenant`). Chunks without vectors (NULL: older rows, a remote
    /// embedding provider) or with a layout this build does not know are absent from the result;
    /// the generator then falls back to lexical scoring for them.
    public static func load(chunkIDs: [Int64], tenantID: String, on connection: Connection) throws -> [Int64: [SentenceVector]] {
        guard !chunkIDs.isEmpty else { return [:] }
        let rows = try connection.queryPrepared("""
            SELECT id, sentence_vectors FROM chunks
             WHERE tenant_id = \(tenantID) AND id = ANY(\(chunkIDs)) AND sentence_vectors IS NOT NULL
            """).rows
        var out: [Int64: [SentenceVector]] = [:]
        out.reserveCapacity(rows.count)
        for row in rows {
            guard let bytes = try row.optionalBytes("sentence_vectors"),
                  let sentences = SentenceVectorCoding.decode(bytes) else { continue }
            out[try row.int64("id")] = sentences.map {
                SentenceVector(start: $0.range.lowerBound, end: $0.range.upperBound, vector: $0.vector)
            }
        }
        return out
    }

    /// `sources` with their `sentences` filled in from `load` (left nil where none are stored).
    public static func attach(to sources: [Source], tenantID: String, on connection: Connection) throws -> [Source] {
        let loaded = try load(chunkIDs: sources.map(\.chunkID), tenantID: tenantID, on: connection)
        return sources.map { source in
            var source = source
            if let sentences = loaded[source.chunkID] { source.sentences = sentences }
            return source
        }
    }
}
