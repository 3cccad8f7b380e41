import Testing
@testable import Tenancy

@Suite struct AuthCacheTests {
    let hash = Crypto.sha256("pk_live_example")
    let principal = Principal(keyID: "key_a", scopes: [.query], tenant: Tenant(
        id: "ten_a", name: "A", status: .active, plan: "free",
        limits: PlanLimits(requestsPerMinute: 1, queriesPerMonth: 1, maxDocuments: 1, maxStorageBytes: 1, maxUploadBytes: 1, maxAPIKeys: 1)))

    func openCache(ttl: Double = 10) -> AuthCache {
        AuthCache(ttl: ttl, gate: AuthCacheGate(open: true))
    }

    @Test func servesAStoredPrincipalUntilItExpires() {
        let cache = openCache()
        cache.store(principal, for: hash, epochBefore: 1, epochNow: 1, now: 100)
        #expect(cache.principal(for: hash, epoch: 1, now: 109)?.keyID == "key_a")
        #expect(cache.principal(for: hash, epoch: 1, now: 111) == nil)
    }

    @Test func anEpochBumpEmptiesTheCache() {
        let cache = openCache()
        cache.store(principal, for: hash, epochBefore: 1, epochNow: 1, now: 100)
        #expect(cache.principal(for: hash, epoch: 2, now: 100) == nil)
        // And the old entry does not come back if an old epoch is asked for again.
        #expect(cache.principal(for: hash, epoch: 1, now: 100) == nil)
    }

    @Test func aLookupThatRacedWithAChangeIsNotStored() {
        // Read epoch 1, asked the database, a revocation committed and bumped to 2: the answer
        // may predate the revocation, so it must not be cached.
        let cache = openCache()
        cache.store(principal, for: hash, epochBefore: 1, epochNow: 2, now: 100)
        #expect(cache.principal(for: hash, epoch: 2, now: 100) == nil)
    }

    @Test func aLookupFromASupersededEpochIsNotStored() {
        let cache = openCache()
        _ = cache.principal(for: hash, epoch: 5, now: 100)  // the cache has seen epoch 5
        cache.store(principal, for: hash, epochBefore: 4, epochNow: 4, now: 100)
        #expect(cache.principal(for: hash, epoch: 4, now: 100) == nil)
        #expect(cache.principal(for: hash, epoch: 5, now: 100) == nil)
    }

    @Test func aSuspendedOrDisabledCacheAnswersNothing() {
        let suspended = AuthCache(ttl: 10, gate: AuthCacheGate())
        suspended.store(principal, for: hash, epochBefore: 1, epochNow: 1, now: 100)
        #expect(suspended.principal(for: hash, epoch: 1, now: 100) == nil, "the gate starts closed until a listener opens it")
        let cache = openCache()
        cache.store(principal, for: hash, epochBefore: 1, epochNow: 1, now: 100)
        cache.gate.close()
        #expect(cache.principal(for: hash, epoch: 1, now: 100) == nil)
        let disabled = openCache(ttl: 0)
        disabled.store(principal, for: hash, epochBefore: 1, epochNow: 1, now: 100)
        #expect(disabled.principal(for: hash, epoch: 1, now: 100) == nil)
    }

    @Test func capacityBoundsMemory() {
        let cache = AuthCache(ttl: 10, gate: AuthCacheGate(open: true), capacity: 3)
        for index in 0..<10 {
            cache.store(principal, for: Crypto.sha256("k\(index)"), epochBefore: 1, epochNow: 1, now: 100)
        }
        let kept = (0..<10).filter { cache.principal(for: Crypto.sha256("k\($0)"), epoch: 1, now: 100) != nil }
        #expect(kept.count <= 3)
        #expect(kept.contains(9), "the newest entry is kept")
    }

    @Test func cachedAuthenticatorSkipsTheDatabaseOnAHitAndRefusesMalformedKeysWithoutIt() throws {
        let key = try APIKeyFormat.mint().secret
        let authenticator = CachedAuthenticator(cache: openCache(), epoch: LocalAuthEpoch())
        authenticator.cache.store(principal, for: Crypto.sha256(key), epochBefore: 0, epochNow: 0, now: 100)
        var asked = 0
        let outcome = try authenticator.authenticate(key, now: 100) { _ in asked += 1; return .unknown }
        guard case .authenticated = outcome else { Issue.record("expected a cache hit"); return }
        #expect(asked == 0)
        authenticator.epoch.bump()
        _ = try authenticator.authenticate(key, now: 100) { _ in asked += 1; return .unknown }
        #expect(asked == 1, "after a bump the database is asked again")
        guard case .malformed = try authenticator.authenticate("nope", now: 100, database: { _ in asked += 1; return .unknown }) else {
            Issue.record("expected malformed"); return
        }
        #expect(asked == 1)
    }
}
