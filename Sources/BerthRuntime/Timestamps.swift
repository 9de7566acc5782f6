import Foundation

/// RFC 3339 with nanoseconds in UTC, as Docker writes `Created` and `StartedAt`.
public enum Timestamp {
    public static func now() -> String { format(nanoseconds: nowNanoseconds()) }

    public static func nowNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    public static func format(nanoseconds ns: UInt64) -> String {
        var secs = time_t(ns / 1_000_000_000)
        var tm = tm()
        gmtime_r(&secs, &tm)
        let frac = String(ns % 1_000_000_000).leftPadded(to: 9)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%@Z", Int(tm.tm_year) + 1900, Int(tm.tm_mon) + 1,
            Int(tm.tm_mday), Int(tm.tm_hour), Int(tm.tm_min), Int(tm.tm_sec), frac)
    }

    /// Parses what `format` writes (and Go's zero time); nil for anything else.
    public static func parse(_ s: String) -> Date? {
        guard s != zeroTime else { return nil }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        // Foundation keeps milliseconds only; trim the nanoseconds to three digits.
        if let dot = s.firstIndex(of: "."), let z = s.lastIndex(of: "Z") {
            let frac = s[s.index(after: dot)..<z].prefix(3)
            return f.date(from: String(s[..<dot]) + "." + frac + "Z")
        }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: s)
    }
}

/// Docker's "About a minute ago", "2 hours ago" wording (go-units HumanDuration).
public enum HumanDuration {
    public static func string(_ seconds: Double) -> String {
        let s = Int(seconds)
        if s < 1 { return "Less than a second" }
        if s == 1 { return "1 second" }
        if s < 60 { return "\(s) seconds" }
        let m = s / 60
        if m == 1 { return "About a minute" }
        if m < 60 { return "\(m) minutes" }
        let h = Int((seconds / 3600).rounded())
        if h == 1 { return "About an hour" }
        if h < 48 { return "\(h) hours" }
        if h < 24 * 7 * 2 { return "\(h / 24) days" }
        if h < 24 * 30 * 2 { return "\(h / 24 / 7) weeks" }
        if h < 24 * 365 * 2 { return "\(h / 24 / 30) months" }
        return "\(h / 24 / 365) years"
    }
}
