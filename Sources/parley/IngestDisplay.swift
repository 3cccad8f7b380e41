import App
import Glibc
import HTTP
import Ingest

/// What `parley ingest` shows: on a terminal, a progress bar per document and a line when it ends;
/// otherwise (systemd, journald) one JSON object per finished document.
final class IngestDisplay: IngestObserver {
    private let interactive: Bool
    /// Bulk loads (parley eval): no line per ready document, only failures and a running count.
    private let quietDocuments: Bool
    private var current: Claim?
    private var lastDrawn = -1
    private var ready = 0
    private var failed = 0

    init(interactive: Bool, quietDocuments: Bool = false) {
        self.interactive = interactive
        self.quietDocuments = quietDocuments
    }

    func started(_ claim: Claim) {
        current = claim
        lastDrawn = -1
        progressed(claim, percent: 0)
    }

    func progressed(_ claim: Claim, percent: Int) {
        guard interactive, percent != lastDrawn else { return }
        lastDrawn = percent
        let width = 30
        let filled = width * percent / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        write("\r[\(bar)] \(pad(percent))% \(claim.documentID) v\(claim.version)")
    }

    func finished(_ event: IngestEvent) {
        let claim = event.claim
        let seconds = Double(Int(event.seconds * 100)) / 100
        var fields: [(String, JSONValue)] = [
            ("time", .string(Clock.rfc3339())), ("event", "document"), ("tenant_id", .string(claim.tenantID)),
            ("document_id", .string(claim.documentID)), ("version", .number(Double(claim.version))),
            ("attempt", .number(Double(claim.attempts))), ("seconds", .number(seconds)),
        ]
        let line: String
        switch event.outcome {
        case .ready(let chunks, let pages):
            ready += 1
            fields += [("status", "ready"), ("chunks", .number(Double(chunks)))]
            if let pages { fields.append(("pages", .number(Double(pages)))) }
            line = "ready   \(claim.documentID) v\(claim.version): \(chunks) chunks\(pages.map { ", \($0) pages" } ?? "") in \(seconds) s"
        case .failed(let reason, let willRetry):
            if !willRetry { failed += 1 }
            fields += [("status", willRetry ? "retry" : "failed"), ("reason", .string(reason))]
            line = "\(willRetry ? "retry " : "failed") \(claim.documentID) v\(claim.version): \(reason)"
        case .skipped(let reason):
            fields += [("status", "skipped"), ("reason", .string(reason))]
            line = "skipped \(claim.documentID) v\(claim.version): \(reason)"
        }
        if quietDocuments, case .ready = event.outcome {
            if interactive { write("\r\u{1B}[2K\(ready) ready, \(failed) failed") }
        } else if interactive {
            write("\r\u{1B}[2K" + line + "\n")
        } else {
            write(String(decoding: JSONValue.object(fields).serialized(), as: UTF8.self) + "\n")
        }
    }

    /// A line about something besides a document (index rebuilds).
    func note(_ text: String) {
        if interactive {
            write("\r\u{1B}[2K" + text + "\n")
        } else {
            let fields: [(String, JSONValue)] = [("time", .string(Clock.rfc3339())), ("event", "index"), ("detail", .string(text))]
            write(String(decoding: JSONValue.object(fields).serialized(), as: UTF8.self) + "\n")
        }
    }

    func summary(finished: Int) {
        guard interactive else { return }
        write("\(ready) ready, \(failed) failed\n")
    }

    private func pad(_ percent: Int) -> String {
        String(repeating: " ", count: 3 - String(percent).count) + String(percent)
    }

    private func write(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
