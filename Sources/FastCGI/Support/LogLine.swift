import Glibc

/// One JSON object per line on stderr (journald keeps them), as DESIGN.md asks.
///
/// The supervisor and the worker loop log through this before any app logger exists, so it is
/// deliberately tiny: fixed field order, no allocation beyond the line, a single write(2) so that
/// lines from several processes sharing stderr do not interleave (writes under PIPE_BUF are atomic).
enum LogLine {
    enum Value {
        case string(String)
        case int(Int)
        case double(Double)
        case bool(Bool)
    }

    static func write(level: String, event: String, _ fields: [(String, Value)] = []) {
        var line = "{\"time\":\"\(utcTimestamp())\",\"level\":\"\(level)\",\"component\":\"fastcgi\",\"event\":"
        appendQuoted(event, to: &line)
        for (key, value) in fields {
            line += ","
            appendQuoted(key, to: &line)
            line += ":"
            switch value {
            case .string(let text): appendQuoted(text, to: &line)
            case .int(let number): line += String(number)
            case .double(let number): line += number.isFinite ? String(number) : "null"
            case .bool(let flag): line += flag ? "true" : "false"
            }
        }
        line += "}\n"
        writeAll(fd: 2, Array(line.utf8))
    }

    static func appendQuoted(_ text: String, to line: inout String) {
        line += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    line += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    line.unicodeScalars.append(scalar)
                }
            }
        }
        line += "\""
    }

    /// RFC 3339 UTC with milliseconds, built by hand because FoundationEssentials' formatters are
    /// more than a log line needs.
    static func utcTimestamp() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var seconds = ts.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + "\(pad(Int32(ts.tv_nsec / 1_000_000), 3))Z"
    }
}
