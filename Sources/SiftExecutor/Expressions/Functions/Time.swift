// Time functions: now()/current_timestamp, current_date, second() ... year() buckets and date_trunc
// (in the query's time zone; weeks start on Monday), and the calendar arithmetic of intervals.

import Foundation
import SiftModel
import SiftQuery

enum TimeFunctions {
    static let all: [String: ScalarFunction] = [
        "now": now, "current_timestamp": now, "current_date": currentDate,
        "second": bucket, "minute": bucket, "hour": bucket, "day": bucket, "week": bucket, "month": bucket, "year": bucket,
        "date_trunc": dateTrunc,
    ]

    static func now(_ c: FunctionCall) throws -> [Datum] { Array(repeating: .timestamp(c.ev.now), count: c.count) }

    static func currentDate(_ c: FunctionCall) throws -> [Datum] { Array(repeating: .timestamp(c.ev.truncate(c.ev.now, to: "day")), count: c.count) }

    /// second(t) ... year(t): the start of t's bucket, the unit being the function's name.
    static func bucket(_ c: FunctionCall) throws -> [Datum] {
        try c.map1 { d in d.asTimestamp.map { .timestamp(c.ev.truncate($0, to: c.name)) } ?? .null }
    }

    static func dateTrunc(_ c: FunctionCall) throws -> [Datum] {
        let units = try c.arg(0), times = try c.arg(1)
        return try (0..<c.count).map { r in
            guard case .string(let u) = units[r], let t = times[r].asTimestamp else { return .null }
            return try c.ev.dateTrunc(u, t, range: c.range)
        }
    }
}

extension Evaluator {
    // MARK: - Time

    /// Truncates to the start of a bucket in the query's time zone (UTC unless --tz-offset); weeks start on Monday.
    func truncate(_ t: Int64, to unit: String) -> Int64 {
        let offset = Int64(tzOffsetMinutes) * 60_000_000
        // Keep clear of the ends of the range so bucket arithmetic cannot overflow.
        let t = max(Int64.min / 2, min(Int64.max / 2, t))
        let local = t + offset
        let day = Int64(86_400_000_000)
        func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }
        var out: Int64
        switch unit {
        case "second": out = floorDiv(local, 1_000_000) * 1_000_000
        case "minute": out = floorDiv(local, 60_000_000) * 60_000_000
        case "hour": out = floorDiv(local, 3_600_000_000) * 3_600_000_000
        case "day": out = floorDiv(local, day) * day
        case "week":
            let days = floorDiv(local, day)
            let weekday = ((days % 7) + 7 + 3) % 7  // 1970-01-01 was a Thursday: Monday = 0
            out = (days - weekday) * day
        case "month", "year":
            let (y, m, _) = Timestamp.civil(fromDays: Int(floorDiv(local, day)))
            out = Int64(Timestamp.daysFromCivil(year: y, month: unit == "month" ? m : 1, day: 1)) * day
        default: out = local
        }
        return out - offset
    }

    func dateTrunc(_ spec: String, _ t: Int64, range: SourceRange) throws -> Datum {
        let parts = spec.lowercased().split(separator: " ")
        var amount = 1.0
        var unitWord = spec.lowercased()
        if parts.count == 2, let a = Double(parts[0]) { amount = a; unitWord = String(parts[1]) }
        guard let unit = IntervalUnit(word: unitWord) else {
            throw ExecutionError("date_trunc: unknown unit '\(spec)'", at: range)
        }
        if amount == 1 {
            return .timestamp(truncate(t, to: unit.rawValue))
        }
        if unit == .month || unit == .year || unit == .week {
            // Calendar buckets of several units: months counted from year 0 (3 months gives quarters),
            // weeks from the Monday 1969-12-29.
            guard amount == amount.rounded(), amount >= 1, amount <= 100_000 else {
                throw ExecutionError("date_trunc: '\(spec)' needs a whole number of \(unit.rawValue)s", at: range)
            }
            let k = Int64(amount)
            func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }
            let offset = Int64(tzOffsetMinutes) * 60_000_000
            let day = Int64(86_400_000_000)
            let start = truncate(t, to: unit.rawValue) + offset   // local start of t's week, month or year
            let startDay = floorDiv(start, day)
            if unit == .week {
                let monday = Int64(Timestamp.daysFromCivil(year: 1969, month: 12, day: 29))
                let bucket = floorDiv((startDay - monday) / 7, k) * k
                return .timestamp((monday + bucket * 7) * day - offset)
            }
            let (y, m, _) = Timestamp.civil(fromDays: Int(startDay))
            let months = unit == .year ? 12 * k : k
            let bucket = floorDiv(Int64(y) * 12 + Int64(m - 1), months) * months
            let year = floorDiv(bucket, 12), month = bucket - year * 12 + 1
            return .timestamp(Int64(Timestamp.daysFromCivil(year: Int(year), month: Int(month), day: 1)) * day - offset)
        }
        guard case .interval(_, let width) = Evaluator.interval(amount, unit), width > 0 else {
            throw ExecutionError("date_trunc: invalid bucket '\(spec)'", at: range)
        }
        let offset = Int64(tzOffsetMinutes) * 60_000_000
        let local = max(Int64.min / 2, min(Int64.max / 2, t)) + offset
        let b = local >= 0 ? local / width : (local - width + 1) / width
        return .timestamp(b * width - offset)
    }

    /// An interval; amounts beyond about ±290,000 years saturate rather than trap.
    static func interval(_ amount: Double, _ unit: IntervalUnit) -> Datum {
        let c = Timestamp.clamped
        switch unit {
        case .year: return .interval(months: max(-3_500_000, min(3_500_000, c(amount * 12))), micros: 0)
        case .month: return .interval(months: max(-3_500_000, min(3_500_000, c(amount))), micros: 0)
        case .week: return .interval(months: 0, micros: c(amount * 7 * 86_400_000_000))
        case .day: return .interval(months: 0, micros: c(amount * 86_400_000_000))
        case .hour: return .interval(months: 0, micros: c(amount * 3_600_000_000))
        case .minute: return .interval(months: 0, micros: c(amount * 60_000_000))
        case .second: return .interval(months: 0, micros: c(amount * 1_000_000))
        case .millisecond: return .interval(months: 0, micros: c(amount * 1000))
        case .microsecond: return .interval(months: 0, micros: c(amount))
        }
    }

    /// `t + u`, or nil when it leaves the range a timestamp can hold.
    static func saturating(_ t: Int64?, _ u: Int64) -> Int64? {
        guard let t else { return nil }
        let (r, o) = t.addingReportingOverflow(u)
        return o ? nil : r
    }

    /// Calendar months: the day of the month is kept, clamped to the target month's length; nil when
    /// the result is beyond the years a timestamp can hold.
    static func addMonths(_ t: Int64, _ months: Int64) -> Int64? {
        guard months != 0 else { return t }
        guard abs(months) <= 3_500_000 else { return nil }
        let day = Int64(86_400_000_000)
        let days = t >= 0 ? t / day : (t - day + 1) / day
        let within = t - days * day
        let (y, m, d) = Timestamp.civil(fromDays: Int(days))
        let total = Int64(y) * 12 + Int64(m - 1) + months
        let ny = Int(total >= 0 ? total / 12 : (total - 11) / 12), nm = Int(total - Int64(ny) * 12) + 1
        let next = Timestamp.daysFromCivil(year: nm == 12 ? ny + 1 : ny, month: nm == 12 ? 1 : nm + 1, day: 1)
        let length = next - Timestamp.daysFromCivil(year: ny, month: nm, day: 1)
        let (scaled, o1) = Int64(Timestamp.daysFromCivil(year: ny, month: nm, day: min(d, length))).multipliedReportingOverflow(by: day)
        let (r, o2) = scaled.addingReportingOverflow(within)
        return o1 || o2 ? nil : r
    }
}
