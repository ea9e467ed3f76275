// Timestamp is an instant in UTC with microsecond precision: what `created`, `now()` and interval
// arithmetic work in. It reads ISO-8601 text as found in trace exports and writes it back in one form.

/// Microseconds since the Unix epoch, UTC.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }
    /// Seconds since the epoch; values beyond what 64 bits of microseconds hold (about ±292,000 years) are clamped.
    public init(seconds: Double) { microseconds = Timestamp.clamped((seconds * 1_000_000).rounded()) }

    /// A double as Int64 without trapping: NaN is 0, out-of-range values saturate.
    public static func clamped(_ d: Double) -> Int64 {
        if d.isNaN { return 0 }
        if d >= 9.2e18 { return Int64.max }
        if d <= -9.2e18 { return Int64.min }
        return Int64(d)
    }
    public init(nanoseconds: Int64) { microseconds = nanoseconds / 1000 }

    public var seconds: Double { Double(microseconds) / 1_000_000 }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.microseconds < b.microseconds }

    public static func + (t: Timestamp, micros: Int64) -> Timestamp {
        let (sum, overflow) = t.microseconds.addingReportingOverflow(micros)
        return Timestamp(microseconds: overflow ? (micros > 0 ? Int64.max : Int64.min) : sum)
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The calendar date of a day number (inverse of daysFromCivil).
    public static func civil(fromDays z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, microsecond: Int = 0) {
        let days = Int64(Timestamp.daysFromCivil(year: year, month: month, day: day))
        microseconds = ((days * 86400 + Int64(hour * 3600 + minute * 60 + second)) * 1_000_000) + Int64(microsecond)
    }

    /// Parses ISO-8601 / RFC 3339 text: `2024-05-15T15:00:00Z`, fractional seconds, `+hh:mm` offsets,
    /// a space instead of `T`, or a bare date. Text without an offset is read as UTC.
    public init?(iso8601 text: String) {
        var t = text
        guard let v = t.withUTF8({ Timestamp.parse($0) }) else { return nil }
        self = v
    }

    static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        var i = 0
        let n = b.count
        func digits(_ count: Int) -> Int? {
            guard i + count <= n else { return nil }
            var v = 0
            for j in i..<(i + count) {
                let c = b[j]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            i += count
            return v
        }
        func eat(_ c: Character) -> Bool {
            if i < n, b[i] == c.asciiValue! { i += 1; return true }
            return false
        }
        guard let year = digits(4), eat("-"), let month = digits(2), eat("-"), let day = digits(2),
              (1...12).contains(month), (1...Timestamp.daysIn(month: month, year: year)).contains(day) else { return nil }
        var hour = 0, minute = 0, second = 0, micro = 0
        if i < n {
            guard eat("T") || eat("t") || eat(" ") else { return nil }
            guard let h = digits(2), eat(":"), let m = digits(2), h < 24, m < 60 else { return nil }
            hour = h; minute = m
            if eat(":") {
                guard let s = digits(2), s <= 60 else { return nil }
                second = min(s, 59)
                if eat(".") || eat(",") {
                    var scale = 100_000
                    var any = false
                    while i < n, b[i] >= 0x30 && b[i] <= 0x39 {
                        micro += Int(b[i] - 0x30) * scale
                        scale /= 10
                        i += 1; any = true
                    }
                    guard any else { return nil }
                }
            }
        }
        var offsetSeconds = 0
        if i < n {
            if eat("Z") || eat("z") {
            } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
                guard let oh = digits(2) else { return nil }
                _ = eat(":")
                let om = digits(2) ?? 0
                offsetSeconds = sign * (oh * 3600 + om * 60)
            } else {
                return nil
            }
        }
        guard i == n else { return nil }
        var t = Timestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second, microsecond: micro)
        t.microseconds -= Int64(offsetSeconds) * 1_000_000
        return t
    }

    /// `2024-05-15T15:00:00.250Z`: milliseconds always, microseconds when there are any.
    public var iso8601: String {
        let us = microseconds
        // Floor division by remainder fix-up: no intermediate leaves Int64, even at Int64.min.
        var totalSeconds = us / 1_000_000
        var remainder = us % 1_000_000
        if remainder < 0 { remainder += 1_000_000; totalSeconds -= 1 }
        let frac = Int(remainder)
        let days = totalSeconds >= 0 ? totalSeconds / 86400 : (totalSeconds - 86399) / 86400
        let secOfDay = Int(totalSeconds - days * 86400)
        let (y, m, d) = Timestamp.civil(fromDays: Int(days))
        func pad(_ v: Int, _ w: Int) -> String {
            let s = String(v)
            return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
        }
        var s = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secOfDay / 3600, 2)):\(pad(secOfDay / 60 % 60, 2)):\(pad(secOfDay % 60, 2))"
        if frac % 1000 == 0 { s += "." + pad(frac / 1000, 3) } else { s += "." + pad(frac, 6) }
        return s + "Z"
    }

    public var description: String { iso8601 }

    /// Reads a timestamp from a span field: ISO-8601 text, or a number of Unix seconds
    /// (milliseconds, microseconds or nanoseconds are recognised by magnitude). Numbers that land
    /// outside the years 0001-9999 are not timestamps (rather than clamped into year 294,247).
    public init?(_ value: Value) {
        switch value {
        case .string(let s):
            guard let t = Timestamp(iso8601: s) else { return nil }
            self = t
        case .int(let i): self = Timestamp(epochNumber: Double(i), exact: i)
        case .double(let d):
            guard d.isFinite else { return nil }
            self = Timestamp(epochNumber: d, exact: nil)
        default: return nil
        }
        guard Timestamp.calendarRange.contains(microseconds) else { return nil }
    }

    /// 0001-01-01T00:00:00Z ..< 10000-01-01T00:00:00Z: the instants ISO-8601 text can spell.
    public static let calendarRange: Range<Int64> =
        Int64(daysFromCivil(year: 1, month: 1, day: 1)) * 86_400_000_000 ..< Int64(daysFromCivil(year: 10000, month: 1, day: 1)) * 86_400_000_000

    /// Days in a month of the proleptic Gregorian calendar.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private init(epochNumber d: Double, exact: Int64?) {
        let a = abs(d)
        if a < 1e11 { self.init(seconds: d) }
        else if a < 1e14 { self.init(microseconds: exact.map { $0 * 1000 } ?? Timestamp.clamped((d * 1000).rounded())) }
        else if a < 1e17 { self.init(microseconds: exact ?? Timestamp.clamped(d.rounded())) }
        else { self.init(microseconds: exact.map { $0 / 1000 } ?? Timestamp.clamped((d / 1000).rounded())) }
    }
}
