import Synchronization

/// The state of one circuit breaker, as a pure value: time comes in as an argument, so every
/// transition is tested without a clock or a sleep.
///
/// closed (counting consecutive failures) → open after `failureThreshold` of them → after
/// `coolDownSeconds` the next request is let through as the one trial (half-open) → its success
/// closes the circuit, its failure opens it for another cool-down. A trial that never reports
/// (its thread died) is presumed failed after one more cool-down, so the circuit cannot stick.
public struct CircuitBreakerState: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        case closed(consecutiveFailures: Int)
        case open(until: Double)
        case halfOpen(trialStarted: Double)
    }

    public private(set) var phase: Phase = .closed(consecutiveFailures: 0)
    public let failureThreshold: Int
    public let coolDownSeconds: Double

    public init(failureThreshold: Int, coolDownSeconds: Double) {
        self.failureThreshold = max(1, failureThreshold)
        self.coolDownSeconds = max(0, coolDownSeconds)
    }

    /// Whether a request may go out now; in half-open, true exactly once per trial.
    public mutating func allowRequest(now: Double) -> Bool {
        switch phase {
        case .closed:
            return true
        case .open(let until):
            guard now >= until else { return false }
            phase = .halfOpen(trialStarted: now)
            return true
        case .halfOpen(let started):
            guard now - started >= coolDownSeconds else { return false }
            phase = .halfOpen(trialStarted: now)  // the previous trial is presumed lost
            return true
        }
    }

    /// The provider served (or refused the request itself, which also proves it is up).
    public mutating func recordSuccess() {
        phase = .closed(consecutiveFailures: 0)
    }

    /// The provider was unavailable after the request's retries.
    public mutating func recordFailure(now: Double) {
        switch phase {
        case .closed(let failures):
            phase = failures + 1 >= failureThreshold ? .open(until: now + coolDownSeconds) : .closed(consecutiveFailures: failures + 1)
        case .halfOpen, .open:
            phase = .open(until: now + coolDownSeconds)
        }
    }
}

/// A circuit breaker for one provider endpoint, shared by the threads of one process: when the
/// provider is down, requests fail fast (`unavailable("circuit open")`) instead of each waiting
/// through its timeouts and retries, and the provider gets room to recover.
///
/// Thread rule: `Sendable`; the state sits behind a `Mutex` held only for the transition itself.
/// Per process by design: workers share nothing, and each finds out on its own within a few calls.
public final class CircuitBreaker: Sendable {
    public typealias Clock = @Sendable () -> Double

    private let state: Mutex<CircuitBreakerState>
    private let clock: Clock

    /// - Parameter clock: monotonic seconds; injectable for tests.
    public init(failureThreshold: Int = 5, coolDownSeconds: Double = 30, clock: @escaping Clock = CircuitBreaker.monotonicNow) {
        state = Mutex(CircuitBreakerState(failureThreshold: failureThreshold, coolDownSeconds: coolDownSeconds))
        self.clock = clock
    }

    public var phase: CircuitBreakerState.Phase { state.withLock { $0.phase } }

    public func allowRequest() -> Bool {
        let now = clock()
        return state.withLock { $0.allowRequest(now: now) }
    }

    public func recordSuccess() { state.withLock { $0.recordSuccess() } }

    public func recordFailure() {
        let now = clock()
        state.withLock { $0.recordFailure(now: now) }
    }

    public static let monotonicNow: Clock = {
        let elapsed = epoch.duration(to: .now)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private static let epoch = ContinuousClock.now

    // MARK: - One breaker per endpoint per process

    private static let registry = Mutex<[String: CircuitBreaker]>([:])

    /// The process's breaker for `key` (an endpoint's URL), created with the given settings on first use.
    public static func shared(for key: String, failureThreshold: Int = 5, coolDownSeconds: Double = 30) -> CircuitBreaker {
        registry.withLock { breakers in
            if let breaker = breakers[key] { return breaker }
            let breaker = CircuitBreaker(failureThreshold: failureThreshold, coolDownSeconds: coolDownSeconds)
            breakers[key] = breaker
            return breaker
        }
    }
}
