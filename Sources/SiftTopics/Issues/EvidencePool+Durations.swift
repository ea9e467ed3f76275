// Durations in the evidence: a number with its unit of time ("valid for 7 days", "P2 4 business
// hours", "expires_in_seconds": 600), and the time between two time stamps (a device that checked
// in at 09:10 on a conversation at 12:10 checked in 3 hours ago). A duration claim is supported
// only by these, converted to the claim's unit and rounded as the claim is written.
// Part of EvidencePool (EvidencePool.swift).

import Foundation
import SiftModel

extension EvidencePool {
    /// Seconds in one of a unit word ("minutes", "hrs", "days"), or nil.
    static func secondsPer(_ word: String) -> Double? {
        switch word {
        case "s", "sec", "secs", "second", "seconds": return 1
        case "min", "mins", "minute", "minutes": return 60
        case "h", "hr", "hrs", "hour", "hours": return 3600
        case "day", "days": return 86400
        case "week", "weeks", "wk", "wks": return 604_800
        case "month", "months": return 2_592_000
        case "year", "years", "yr", "yrs": return 31_536_000
        default: return nil
        }
    }

    /// Seconds in one of the unit a field name states ("expires_in_seconds", "grace_period_hours",
    /// "duration_ms"), or nil.
    static func secondsPer(key: String) -> Double? {
        // By the field's words ("hourly_rate" and "monthly_fee" name no unit of time); a one-letter
        // unit ("expires_in_s") only as the last word.
        let words = key.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init)
        for (i, w) in words.enumerated() {
            if ["ms", "millis", "milliseconds"].contains(w) { return 0.001 }
            if w.count == 1 && i != words.count - 1 { continue }
            if let s = secondsPer(w) { return s }
        }
        return nil
    }

    /// The durations one text states, in seconds.
    static func durations(_ text: String) -> [Double] {
        let b = Array(text.utf8)
        var out: [Double] = []
        var i = 0
        while i < b.count {
            guard ByteText.isDigit(b[i]), i == 0 || !(ByteText.isAlnum(b[i - 1]) || b[i - 1] == UInt8(ascii: ".")) else { i += 1; continue }
            let start = i
            while i < b.count, ByteText.isDigit(b[i]) || (b[i] == UInt8(ascii: ".") && i + 1 < b.count && ByteText.isDigit(b[i + 1])) { i += 1 }
            guard let v = Double(String(decoding: b[start..<i], as: UTF8.self)) else { continue }
            // After: a unit, maybe after one qualifying word ("4 business hours").
            var k = i
            // "4+ years" (at least four years) states four years.
            if k < b.count, b[k] == UInt8(ascii: "+") { k += 1 }
            // "30 days", "30-day", and in a code or key "last_30_days".
            if k < b.count, b[k] == 0x20 || b[k] == UInt8(ascii: "-") || b[k] == UInt8(ascii: "_") { k += 1 }
            var words: [String] = []
            for _ in 0..<2 {
                let w0 = k
                while k < b.count, ByteText.isLetter(b[k]) { k += 1 }
                guard k > w0 else { break }
                words.append(String(decoding: b[w0..<k], as: UTF8.self).lowercased())
                guard k < b.count, b[k] == 0x20 else { break }
                k += 1
            }
            var unit: Double?
            if let w = words.first {
                unit = secondsPer(w)
                if unit == nil, ["business", "calendar", "working"].contains(w), words.count > 1 { unit = secondsPer(words[1]) }
            }
            if let unit {
                out.append(v * unit)
                continue
            }
            // The low end of a range ("3 to 12 months", "1-3 days"): every whole number of a narrow
            // range is stated; of a wide one ("booked 1 to 90 days ahead"), only its ends.
            if let (hi, unit) = Self.rangeEnd(b, after: i), v == v.rounded(), hi > v {
                if hi - v <= 12 {
                    var n = v
                    while n <= hi { out.append(n * unit); n += 1 }
                } else {
                    out.append(v * unit)
                }
                continue
            }
            // Before: a JSON field naming a unit ("expires_in_seconds": 600).
            var j = start - 1
            while j >= 0, b[j] == 0x20 { j -= 1 }
            guard j >= 1, b[j] == UInt8(ascii: ":") else { continue }
            j -= 1
            while j >= 0, b[j] == 0x20 { j -= 1 }
            guard j >= 1, b[j] == UInt8(ascii: "\"") else { continue }
            var q = j - 1
            while q >= 0, b[q] != UInt8(ascii: "\""), j - q < 64 { q -= 1 }
            guard q >= 0, b[q] == UInt8(ascii: "\"") else { continue }
            if let perKey = secondsPer(key: String(decoding: b[(q + 1)..<j], as: UTF8.self)) { out.append(v * perKey) }
        }
        return out
    }

    /// The high end and unit of a range whose low end ends at `i`: " to 12 months", "-3 days", "–5
    /// weeks", " and 10 days".
    static func rangeEnd(_ b: [UInt8], after i: Int) -> (Double, Double)? {
        var k = i
        while k < b.count, b[k] == 0x20 { k += 1 }
        let joins: [[UInt8]] = [Array("to".utf8), Array("and".utf8), [UInt8(ascii: "-")], Array("–".utf8)]
        guard let join = joins.first(where: { k + $0.count <= b.count && Array(b[k..<(k + $0.count)]) == $0 }) else { return nil }
        k += join.count
        if join.first! >= 0x61, k < b.count, ByteText.isLetter(b[k]) { return nil }
        while k < b.count, b[k] == 0x20 { k += 1 }
        let n0 = k
        while k < b.count, ByteText.isDigit(b[k]) { k += 1 }
        guard k > n0, k - n0 <= 4, let hi = Double(String(decoding: b[n0..<k], as: UTF8.self)) else { return nil }
        if k < b.count, b[k] == 0x20 || b[k] == UInt8(ascii: "-") { k += 1 }
        let w0 = k
        while k < b.count, ByteText.isLetter(b[k]) { k += 1 }
        guard k > w0, let unit = secondsPer(String(decoding: b[w0..<k], as: UTF8.self).lowercased()) else { return nil }
        return (hi, unit)
    }

    /// Every stated duration of the evidence, in seconds, read when a duration claim is checked.
    var timedSeconds: [Double] {
        if let t = timedRead { return t }
        let t = datedTexts.flatMap(Self.durations)
        timedRead = t
        return t
    }

    /// Time stamps (yyyy-mm-ddThh:mm) of the evidence, in seconds.
    static func timeStamps(_ text: String) -> [Double] {
        let b = Array(text.utf8)
        var out: [Double] = []
        var i = 0
        while i + 16 <= b.count {
            if b[i + 10] == UInt8(ascii: "T") || b[i + 10] == 0x20, b[i + 4] == UInt8(ascii: "-"), b[i + 7] == UInt8(ascii: "-"), b[i + 13] == UInt8(ascii: ":"),
               ByteText.isDigit(b[i]), ByteText.isDigit(b[i + 11]), i == 0 || !ByteText.isDigit(b[i - 1]),
               let ts = Timestamp(iso8601: String(decoding: b[i..<(i + 16)], as: UTF8.self).replacingOccurrences(of: " ", with: "T") + ":00Z") {
                out.append(ts.seconds)
                i += 16
            } else {
                i += 1
            }
        }
        return out
    }

    /// Whether the evidence states the claim's duration, in any unit, to the precision it is
    /// written with; or, for hours and days, holds two time stamps (or one and the conversation's
    /// time) that far apart.
    func timed(_ f: Fact, _ v: Double) -> Bool {
        let words = f.text.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init)
        guard let unit = words.lazy.compactMap({ Self.secondsPer($0) }).first else { return true }
        let half = Self.precision(f.text).half
        let want = v * unit
        // Months and years are not a fixed number of seconds.
        let slack = unit >= 2_592_000 ? 3 * 86400.0 : 0
        if timedSeconds.contains(where: { abs($0 - want) <= half * unit + slack + 0.001 }) { return true }
        guard unit == 3600 || unit == 86400 else { return false }
        let stamps = Array(Set(datedTexts.flatMap(Self.timeStamps))).sorted().prefix(200) + [createdSeconds]
        for a in stamps.indices { for b in stamps.indices where b > a && abs(abs(stamps[b] - stamps[a]) - want) <= half * unit + 1 { return true } }
        return false
    }
}
