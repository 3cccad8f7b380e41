import Glibc

/// Seconds on CLOCK_MONOTONIC. Deadlines and idle timers use this so that a wall-clock jump
/// (NTP, manual date change) can neither stall nor fire them early.
func monotonicNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1_000_000_000
}

/// Milliseconds until `deadline`, clamped to what poll() accepts; -1 means "no deadline".
func pollTimeout(until deadline: Double?, now: Double = monotonicNow(), cap: Double = 60) -> Int32 {
    guard let deadline else { return -1 }
    let seconds = min(max(deadline - now, 0), cap)
    return Int32((seconds * 1000).rounded(.up))
}
