/// Follow-up questions ("and on the pro plan?") only make sense with the conversation. Two ways to
/// give search that context:
/// - with an LLM generator, the model rewrites the question into a standalone one (`rewritePrompt`);
/// - with the extractive generator (no model to ask), history-aware retrieval: a question that reads
///   like a follow-up is searched together with the previous question.
public enum FollowUp {
    /// Words that make a question lean on what came before.
    static let leaningWords: Set<String> = [
        "it", "its", "it's", "this", "that", "these", "those", "they", "them", "their", "there", "he", "she",
        "and", "also", "too", "same", "else", "instead", "then", "one", "ones",
    ]
    static let leadingPhrases = ["and ", "what about", "how about", "and what", "but ", "or ", "also ", "same for", "what if"]

    /// Whether `question` probably depends on earlier turns: short, opening like a continuation, or
    /// pointing back with a pronoun.
    public static func looksLikeFollowUp(_ question: String) -> Bool {
        let lowered = question.lowercased().trimmingSpaces
        if leadingPhrases.contains(where: { lowered.hasPrefix($0) }) { return true }
        let words = lowered.split { !$0.isLetter && $0 != "'" }.map(String.init)
        if words.count <= 4 { return true }
        return words.contains { leaningWords.contains($0) }
    }

    /// The text to search for with the extractive generator: the question alone, or, for a follow-up,
    /// the previous user question followed by this one (within search's 1000-character limit, keeping
    /// the new question whole).
    public static func retrievalQuery(question: String, history: [Turn], limit: Int = 1000) -> String {
        guard looksLikeFollowUp(question), let previous = history.last(where: { $0.role == .user })?.text else { return question }
        let room = limit - question.count - 1
        guard room > 0 else { return String(question.prefix(limit)) }
        return String(previous.prefix(room)) + " " + question
    }

    /// Asks an LLM for the standalone form of a follow-up. The answer is used as the search query only.
    public static func rewritePrompt(question: String, history: [Turn]) -> Prompt {
        Prompt(
            instructions: """
                Rewrite the user's last question so that it can be understood without the conversation: \
                resolve pronouns and ellipsis using the earlier turns. Reply with the rewritten question \
                only, in the user's language, without answering it. If it is already standalone, repeat it.
                """,
            context: "", history: PromptBuilder.trimmed(history, budget: 800), question: question, maxTokens: 120, temperature: 0)
    }
}
