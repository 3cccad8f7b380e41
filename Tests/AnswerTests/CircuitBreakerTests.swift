import Synchronization
import Testing
@testable import Answer

@Suite struct CircuitBreakerTests {
    @Test func opensAfterConsecutiveFailuresOnly() {
        var state = CircuitBreakerState(failureThreshold: 3, coolDownSeconds: 30)
        state.recordFailure(now: 0)
        state.recordFailure(now: 1)
        state.recordSuccess()  // resets the count
        state.recordFailure(now: 2)
        state.recordFailure(now: 3)
        #expect(state.phase == .closed(consecutiveFailures: 2))
        #expect(state.allowRequest(now: 3) == true)
        state.recordFailure(now: 4)
        #expect(state.phase == .open(until: 34))
        #expect(state.allowRequest(now: 33.9) == false)
    }

    @Test func halfOpenLetsOneTrialThroughAndItsOutcomeDecides() {
        var state = CircuitBreakerState(failureThreshold: 1, coolDownSeconds: 10)
        state.recordFailure(now: 0)
        #expect(state.allowRequest(now: 10) == true)
        #expect(state.phase == .halfOpen(trialStarted: 10))
        #expect(state.allowRequest(now: 11) == false)  // one trial at a time
        state.recordFailure(now: 12)
        #expect(state.phase == .open(until: 22))
        #expect(state.allowRequest(now: 21) == false)
        #expect(state.allowRequest(now: 22) == true)
        state.recordSuccess()
        #expect(state.phase == .closed(consecutiveFailures: 0))
        #expect(state.allowRequest(now: 22) == true)
    }

    @Test func aLostTrialIsReplacedAfterAnotherCoolDown() {
        var state = CircuitBreakerState(failureThreshold: 1, coolDownSeconds: 10)
        state.recordFailure(now: 0)
        #expect(state.allowRequest(now: 10) == true)
        #expect(state.allowRequest(now: 19) == false)
        #expect(state.allowRequest(now: 20) == true)
    }

    @Test func theSharedBreakerUsesTheInjectedClock() {
        let time = Mutex(0.0)
        let breaker = CircuitBreaker(failureThreshold: 2, coolDownSeconds: 5, clock: { time.withLock { $0 } })
        breaker.recordFailure()
        breaker.recordFailure()
        #expect(!breaker.allowRequest())
        time.withLock { $0 = 5 }
        #expect(breaker.allowRequest())
        #expect(CircuitBreaker.shared(for: "http://x/v1/messages") === CircuitBreaker.shared(for: "http://x/v1/messages"))
        #expect(CircuitBreaker.shared(for: "http://x/v1/messages") !== CircuitBreaker.shared(for: "http://y/v1/messages"))
    }
}
