import Answer
import ArgumentParser
import Store
import Tenancy

/// `parley maintain`: housekeeping, started by parley-maintain.timer. Conversations idle past their
/// tenant's `retention_days` are deleted with their messages, and answer-cache entries of past
/// knowledge generations (which can never hit again) are dropped. Idempotent: running it twice, or
/// on two hosts at once, deletes nothing twice.
struct MaintainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maintain",
        abstract: "Housekeeping: expire conversations past their retention, prune stale answer-cache entries."
    )

    func run() throws {
        let connection = try CommandSupport.ownerConnection()
        var expired = 0, pruned = 0
        for (tenantID, deleted) in try ConversationRetention.expire(on: connection) where deleted > 0 {
            print(#"{"tenant_id":"\#(tenantID)","conversations_expired":\#(deleted)}"#)
            expired += deleted
        }
        for tenant in try TenantStore.list(on: connection) {
            let deleted = try AnswerCache.prune(tenantID: tenant.id, on: connection)
            if deleted > 0 { print(#"{"tenant_id":"\#(tenant.id)","cache_entries_pruned":\#(deleted)}"#) }
            pruned += deleted
        }
        print(#"{"conversations_expired":\#(expired),"cache_entries_pruned":\#(pruned)}"#)
    }
}
