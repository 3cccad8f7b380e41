import Glibc

/// A `sigset_t` built from a list, for pthread_sigmask / sigtimedwait / signalfd.
struct SignalSet {
    var raw = sigset_t()

    init(_ signals: [Int32]) {
        sigemptyset(&raw)
        for signal in signals { sigaddset(&raw, signal) }
    }

    /// Blocks these signals in the calling thread; threads it creates afterwards inherit the mask,
    /// which is how a single waiting thread ends up receiving them. Returns the previous mask.
    @discardableResult
    func block() -> sigset_t {
        var set = raw
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &set, &previous)
        return previous
    }

    static func restore(_ mask: sigset_t) {
        var set = mask
        pthread_sigmask(SIG_SETMASK, &set, nil)
    }

    /// Waits up to `milliseconds` for one of these (blocked) signals; nil on timeout.
    func wait(milliseconds: Int) -> Int32? {
        var set = raw
        var timeout = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        let signal = sigtimedwait(&set, nil, &timeout)
        return signal > 0 ? signal : nil
    }
}
