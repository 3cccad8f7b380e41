/// A page of a keyset-paginated listing, with the cursor for the next one (nil on the last page).
/// Shared by every module that lists (documents, conversations), so all listings look alike.
public struct Page<Item: Sendable & Encodable>: Sendable, Encodable {
    public let data: [Item]
    public let nextCursor: String?

    public init(data: [Item], nextCursor: String?) {
        self.data = data
        self.nextCursor = nextCursor
    }

    enum CodingKeys: String, CodingKey { case data, nextCursor = "next_cursor" }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(data, forKey: .data)
        try c.encode(nextCursor, forKey: .nextCursor)
    }
}
