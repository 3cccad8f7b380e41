import FoundationEssentials
import Store

/// One UTC day of a tenant's activity.
public struct AnalyticsDay: Sendable, Encodable {
    public let date: String
    public let counts: AnalyticsCounts
    public let latencyP50: Double?
    public let latencyP95: Double?

    init(row: Row) throws {
        date = try row.string("date")
        counts = AnalyticsCounts(
            questions: try row.int("questions"), answeredWithoutPerson: try row.int("answered_without_person"),
            escalations: try row.int("escalations"), cacheHits: try row.int("cache_hits"),
            promptTokens: try row.int64("prompt_tokens"), completionTokens: try row.int64("completion_tokens"),
            cost: try row.decimal("cost"), feedbackUp: try row.int("feedback_up"), feedbackDown: try row.int("feedback_down"))
        latencyP50 = try row.optionalDouble("p50").map(AnalyticsCounts.milliseconds)
        latencyP95 = try row.optionalDouble("p95").map(AnalyticsCounts.milliseconds)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnalyticsCounts.CodingKeys.self)
        try c.encode(date, forKey: .date)
        try counts.encode(into: &c)
        try c.encode(latencyP50, forKey: .latencyP50)
        try c.encode(latencyP95, forKey: .latencyP95)
    }
}

/// The additive figures of a day or of the whole window.
public struct AnalyticsCounts: Sendable, Equatable {
    public var questions = 0
    public var answeredWithoutPerson = 0
    public var escalations = 0
    public var cacheHits = 0
    public var promptTokens: Int64 = 0
    public var completionTokens: Int64 = 0
    public var cost: Decimal = 0
    public var feedbackUp = 0
    public var feedbackDown = 0

    enum CodingKeys: String, CodingKey {
        case date, questions, escalations, cost
        case answeredWithoutPerson = "answered_without_person", cacheHits = "cache_hits", promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens", feedbackUp = "feedback_up", feedbackDown = "feedback_down"
        case latencyP50 = "latency_p50_ms", latencyP95 = "latency_p95_ms"
        case escalationRate = "escalation_rate", selfServiceRate = "self_service_rate", cacheHitRate = "cache_hit_rate"
    }

    static func + (a: AnalyticsCounts, b: AnalyticsCounts) -> AnalyticsCounts {
        AnalyticsCounts(questions: a.questions + b.questions, answeredWithoutPerson: a.answeredWithoutPerson + b.answeredWithoutPerson,
                        escalations: a.escalations + b.escalations, cacheHits: a.cacheHits + b.cacheHits,
                        promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens,
                        cost: a.cost + b.cost, feedbackUp: a.feedbackUp + b.feedbackUp, feedbackDown: a.feedbackDown + b.feedbackDown)
    }

    func encode(into c: inout KeyedEncodingContainer<CodingKeys>) throws {
        try c.encode(questions, forKey: .questions)
        try c.encode(answeredWithoutPerson, forKey: .answeredWithoutPerson)
        try c.encode(escalations, forKey: .escalations)
        try c.encode(cacheHits, forKey: .cacheHits)
        try c.encode(promptTokens, forKey: .promptTokens)
        try c.encode(completionTokens, forKey: .completionTokens)
        try c.encode(cost, forKey: .cost)
        try c.encode(feedbackUp, forKey: .feedbackUp)
        try c.encode(feedbackDown, forKey: .feedbackDown)
    }

    /// percentile_cont interpolates; a tenth of a millisecond is all the precision a chart needs.
    static func milliseconds(_ value: Double) -> Double { (value * 10).rounded() / 10 }
}

/// The window's sums, its latency percentiles (over every answer, not an average of days) and rates.
public struct AnalyticsTotals: Sendable, Encodable {
    public let counts: AnalyticsCounts
    public let latencyP50: Double?
    public let latencyP95: Double?

    init(_ days: [AnalyticsDay], p50: Double?, p95: Double?) {
        counts = days.reduce(AnalyticsCounts()) { $0 + $1.counts }
        latencyP50 = p50.map(AnalyticsCounts.milliseconds)
        latencyP95 = p95.map(AnalyticsCounts.milliseconds)
    }

    /// Shares of the questions, 0 when there were none; rounded to 4 digits.
    func rate(_ part: Int) -> Double {
        counts.questions == 0 ? 0 : (Double(part) / Double(counts.questions) * 10000).rounded() / 10000
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnalyticsCounts.CodingKeys.self)
        try counts.encode(into: &c)
        try c.encode(latencyP50, forKey: .latencyP50)
        try c.encode(latencyP95, forKey: .latencyP95)
        try c.encode(rate(counts.escalations), forKey: .escalationRate)
        try c.encode(rate(counts.answeredWithoutPerson), forKey: .selfServiceRate)
        try c.encode(rate(counts.cacheHits), forKey: .cacheHitRate)
    }
}

/// A question the documents answered poorly, grouped by its normalised text.
public struct KnowledgeGap: Sendable, Encodable {
    public let question: String
    public let count: Int
    public let averageConfidence: Double
    public let lastAsked: Date

    init(row: Row) throws {
        question = try row.string("question")
        count = try row.int("n")
        averageConfidence = ((try row.optionalDouble("avg_confidence") ?? 0) * 10000).rounded() / 10000
        lastAsked = try row.date("last_asked")
    }

    enum CodingKeys: String, CodingKey { case question, count, averageConfidence = "avg_confidence", lastAsked = "last_asked" }
}

public struct AnalyticsReport: Sendable, Encodable {
    public let days: [AnalyticsDay]
    public let totals: AnalyticsTotals
    public let knowledgeGaps: [KnowledgeGap]

    enum CodingKeys: String, CodingKey { case days, totals, knowledgeGaps = "knowledge_gaps" }
}
