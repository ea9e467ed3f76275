// Price lists that name their currency once and write their amounts bare ("Prices are in USD" ...
// "- Starter: 7.00"): which texts are about prices, and which bare numbers in them are amounts.
// Part of the grounding checks (IssueFinder+Grounding.swift).

import Foundation
import SiftModel

extension IssueFinder {
    static let priceWords = ["price", "prices", "pricing", "cost", "costs", "fee", "fees"]
    static let currencyWords = ["usd", "eur", "gbp", "chf", "cad", "aud", "dollar", "euro", "pound", "$", "€", "£"]
    /// Words after a number that make it no amount ("2.50 TB", "4.50/5", "08.30 Uhr").
    static let unitWords: Set<String> = ["kb", "mb", "gb", "tb", "kg", "g", "oz", "lb", "lbs", "h", "hr", "hrs", "am", "pm", "uhr", "stars", "star",
                                         "km", "mi", "m", "cm", "mm", "ml", "l", "mbps", "gbps", "ghz", "mhz", "min", "mins", "x"]

    /// Whether a text is a price list that names its currency once: a price word as a word, and a currency.
    static func pricedText(_ s: String) -> Bool {
        let l = s.lowercased()
        guard ByteText.any(l, currencyWords) else { return false }
        return Words.split(l).contains(where: { priceWords.contains($0) })
    }

    /// Numbers written as amounts without a currency: digits, a point and two decimals, standing alone
    /// (not "1.90.25", "v2.10" or "$7.00", which the fact pattern reads).
    static func bareAmounts(_ sentence: String) -> [Double] {
        let b = Array(sentence.utf8)
        var out: [Double] = []
        var i = 0
        while i < b.count {
            guard ByteText.isDigit(b[i]) else { i += 1; continue }
            let start = i
            while i < b.count, ByteText.isDigit(b[i]) { i += 1 }
            let before: UInt8? = start > 0 ? b[start - 1] : nil
            guard i + 2 < b.count, b[i] == UInt8(ascii: "."), ByteText.isDigit(b[i + 1]), ByteText.isDigit(b[i + 2]) else { continue }
            let end = i + 3
            i = end
            if let p = before, ByteText.isAlnum(p) || p == UInt8(ascii: ".") || p == UInt8(ascii: ",") || p >= 0x80 || p == UInt8(ascii: "$") { continue }
            if end < b.count, ByteText.isAlnum(b[end]) || (b[end] == UInt8(ascii: ".") && end + 1 < b.count && ByteText.isDigit(b[end + 1])) { continue }
            // A range, a ratio, a percentage or a unit after it: no amount ("08.30-17.30", "4.50/5", "2.50 TB").
            if end < b.count, [UInt8(ascii: "/"), UInt8(ascii: "%"), UInt8(ascii: "-")].contains(b[end]) { continue }
            if end + 2 < b.count, b[end] == 0xE2, b[end + 1] == 0x80, b[end + 2] == 0x93 || b[end + 2] == 0x94 { continue }   // – —
            var k = end
            while k < b.count, b[k] == 0x20 { k += 1 }
            var w = k
            while w < b.count, ByteText.isLetter(b[w]) { w += 1 }
            if w > k, unitWords.contains(String(decoding: b[k..<w], as: UTF8.self).lowercased()) { continue }
            if let v = Double(String(decoding: b[start..<end], as: UTF8.self)) { out.append(v) }
        }
        return out
    }
}
