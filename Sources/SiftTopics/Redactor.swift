// PII redaction: emails, phone numbers (national and international), card numbers (Luhn-checked), API
// keys and tokens of the common providers, IP addresses (v4, v6 with or without compression), US
// social security and UK national insurance numbers, IBANs (any case, mod-97-checked), person names
// and street addresses are replaced with typed placeholders before any model sees the text and before
// anything lands in facets. Names are found offline by context ("my name is", "Dear", "Mr", a sign-off)
// and by a list of common given names followed by a capitalised surname; addresses by a house number,
// one to four capitalised words and a street type. Teams add their own patterns (name + regular
// expression).

import Foundation

public struct Redactor: @unchecked Sendable {
    public struct Rule {
        public var kind: String
        let regex: NSRegularExpression
        /// Only worth running when the text contains one of these, in any case (a cheap pre-check on
        /// the lower-cased bytes); empty: always.
        let hints: [String]
        let needsDigit: Bool
        let validate: ((String) -> Bool)?
        /// The capture group to replace (0: the whole match), so a cue word ("my name is") stays.
        var group = 0
        /// The fewest digits a match holds within one run of digits and separators (see `DigitShape`);
        /// a text with no such run is skipped without running the expression.
        var minDigitRun = 0
        /// Only worth running when the text has this shape (see `DigitShape`).
        var shape: ((DigitShape) -> Bool)?
        /// Where in a text a match can lie, so that only those parts are searched.
        var search: Search = .whole
    }

    /// The parts of a text a rule's matches can lie in (see `DigitShape.windows`).
    enum Search {
        case whole
        /// Around runs of at least this many digits.
        case digitRuns(Int)
        /// Around runs holding this many digits joined by nothing or single spaces ("12 34 56").
        case spacedRuns(Int)
        /// Around runs of at least eight digits that could hold a phone number.
        case phoneRuns
        /// Around runs of four dot-separated groups, unless the text has an IPv6 shape.
        case ipv4RunsUnlessIPv6
        /// From two letters followed by two digits.
        case ibanStarts
        /// From a cue word ("my name is", "Dear", "Mr") to the three words after it.
        case nameCues
        /// Five words before and four after a street type ("Street", "Ave", "-straße", "rue").
        case streetWords
        /// From a listed given name to the two words after it.
        case givenNames
        /// Around each occurrence of one of the rule's hints (see `DigitShape.windows(aroundAny:in:)`).
        case hints
    }

    public private(set) var rules: [Rule]
    /// Per rule, its hints as lower-cased bytes.
    private var hintBytes: [[[UInt8]]] = []

    static let streetTypes = ["Street", "St", "Avenue", "Ave", "Road", "Rd", "Boulevard", "Blvd", "Lane", "Ln", "Drive", "Dr", "Court", "Ct", "Way",
                               "Place", "Pl", "Terrace", "Close", "Crescent", "Parkway", "Pkwy", "Highway", "Hwy", "Square", "Sq"]
    static let streetTypeSet = Set(streetTypes.map { Array($0.utf8) })
    static let frenchStreets: Set<[UInt8]> = Set(["rue", "avenue", "boulevard", "place", "chemin"].map { Array($0.utf8) })
    /// First bytes of the street types, English and French.
    static let streetFirstBytes = ByteText.firstBytes(Array(streetTypeSet.union(frenchStreets)))
    static let germanStreets: [[UInt8]] = ["straße", "strasse", "weg", "platz", "gasse", "allee"].map { Array($0.utf8) }

    /// How many rules `init` builds before a team's own.
    static let builtinRuleCount = 12
    public static let builtinKinds = ["API_KEY", "EMAIL", "CARD", "IBAN", "SSN", "NATIONAL_ID", "PHONE", "IP", "ADDRESS", "NAME"]

    /// Common given names of many languages; a listed name followed by a capitalised surname is a
    /// person. Names that are also ordinary capitalised words (May, Will, Grace, Frank) are left out.
    static let givenNames = """
        James John Robert Michael David William Richard Joseph Thomas Charles Christopher Daniel Matthew Anthony Donald Steven Paul \
        Andrew Joshua Kenneth Kevin Brian George Timothy Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen \
        Larry Justin Scott Brandon Benjamin Samuel Gregory Alexander Patrick Raymond Dennis Jerry Tyler Aaron Jose Adam Nathan Henry \
        Douglas Zachary Peter Kyle Noah Ethan Jeremy Walter Christian Keith Roger Terry Austin Sean Gerald Carl Harold Dylan Arthur \
        Lawrence Jordan Jesse Bryan Bruce Gabriel Logan Albert Willie Alan Eugene Russell Vincent Philip Bobby Johnny Bradley Roy \
        Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty Sandra Margaret Ashley Kimberly \
        Emily Donna Michelle Carol Amanda Melissa Deborah Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy Angela Shirley Anna \
        Brenda Pamela Emma Nicole Helen Samantha Katherine Christine Debra Rachel Carolyn Janet Catherine Maria Heather Diane Julie \
        Olivia Joyce Victoria Kelly Christina Lauren Joan Evelyn Judith Megan Andrea Cheryl Hannah Jacqueline Martha Gloria Teresa \
        Sara Madison Kathryn Janice Jean Abigail Alice Judy Sophia Denise Amber Doris Marilyn Danielle Beverly Isabella Theresa \
        Diana Natalie Brittany Charlotte Marie Kayla Alexis Lori Liam Oliver Lucas Mateo Leo Elijah Mia Ava Amelia Harper Ella \
        Chloe Zoe Lily Aria Nora Layla Ellie Luna Camila Sofia Lucia Valentina Paula Carmen Pedro Juan Luis Carlos Miguel Javier \
        Diego Alejandro Fernando Jorge Ricardo Eduardo Rafael Sergio Pablo Andres Manuel Francisco Antonio Alejandra Gabriela \
        Mariana Daniela Fernanda Ana Marta Elena Giulia Francesca Chiara Alessandro Lorenzo Matteo Marco Giuseppe Luca Giovanni \
        Hans Klaus Jürgen Wolfgang Stefan Thomas Andreas Michael Sabine Petra Ursula Monika Katrin Julia Lukas Felix Jonas Lena \
        Leonie Pierre Jean Louis Nicolas Julien Camille Chloé Manon Léa Inès Hugo Théo Mohammed Muhammad Ahmed Ali Omar Fatima \
        Aisha Yusuf Hassan Ibrahim Mustafa Priya Rahul Amit Ravi Anil Sanjay Deepak Vikram Arjun Ananya Aditi Neha Pooja Sunita \
        Wei Li Wang Zhang Chen Liu Yang Hiroshi Takashi Kenji Yuki Haruto Sakura Yuna Akira Minh Thanh Hoang Olga Irina Natalia \
        Svetlana Tatiana Sergei Dmitri Ivan Vladimir Alexei Nikolai Piotr Katarzyna Agnieszka Magdalena Tomasz Krzysztof Lars Erik \
        Anders Nils Sven Ingrid Astrid Sofie Emil Oscar Kwame Kofi Ama Chinedu Ngozi Oluwaseun Tunde Sipho Thabo Mei Jin Sung Min
        """.split(whereSeparator: { $0 == " " || $0 == "\\" || $0.isNewline }).map(String.init)

    /// The built-in rules, plus `extra` (name -> pattern) as typed placeholders `<NAME>`.
    public init(extra: [(name: String, pattern: String)] = []) throws {
        func rx(_ p: String, _ o: NSRegularExpression.Options = []) throws -> NSRegularExpression { try NSRegularExpression(pattern: p, options: o) }
        let surname = #"(?:[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?|[A-Z]{2,}\b)"#
        let streets = Self.streetTypes.joined(separator: "|")
        rules = try [
            Rule(kind: "API_KEY", regex: try rx(#"\b(?:sk-(?:proj-|ant-)?[A-Za-z0-9_\-]{16,}|(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{12,}|whsec_[A-Za-z0-9]{16,}|ghp_[A-Za-z0-9]{20,}|gh[ousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_\-]{16,}|hf_[A-Za-z0-9]{20,}|npm_[A-Za-z0-9]{20,}|(?:AKIA|ASIA)[0-9A-Z]{16}|xox[abprs]-[A-Za-z0-9\-]{10,}|AIza[0-9A-Za-z_\-]{30,}|SG\.[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{16,}|eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,})|(?<=Bearer )[A-Za-z0-9._~+/\-]{16,}=*"#, [.caseInsensitive]),
                 hints: ["sk-", "_live_", "_test_", "whsec_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "hf_", "npm_", "akia",
                         "asia", "xox", "aiza", "sg.", "eyj", "bearer"],
                 needsDigit: false, validate: Self.keyLike, search: .hints),
            // A secret after the name of one ("password": "..."): matched from the name on, the value
            // replaced (a look-behind over the names cost ICU a microsecond a character).
            Rule(kind: "API_KEY", regex: try rx(#"\b(?:api[_\- ]?key|apikey|access[_\- ]token|auth[_\- ]token|secret[_\- ]key|client[_\- ]secret|password|passwd)[\"']?\s?[:=]\s?[\"']?([^\s\"',;]{8,})"#, [.caseInsensitive]),
                 hints: ["key", "token", "secret", "passw"], needsDigit: false, validate: Self.keyLike, group: 1, search: .hints),
            Rule(kind: "EMAIL", regex: try rx(#"\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}\b"#), hints: ["@"], needsDigit: false, validate: nil, search: .hints),
            Rule(kind: "IBAN", regex: try rx(#"\b[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?\b"#), hints: [], needsDigit: true, validate: Self.ibanChecksum, shape: { $0.ibanLike }, search: .ibanStarts),
            Rule(kind: "CARD", regex: try rx(#"\b(?:\d[ \-]?){12,18}\d\b"#), hints: [], needsDigit: true, validate: Self.luhn, minDigitRun: 13, search: .digitRuns(13)),
            Rule(kind: "SSN", regex: try rx(#"\b\d{3}-\d{2}-\d{4}\b|(?<=\b(?:ssn|social security(?: number| no\.?| #)?|ss#)[:# ]{0,3}(?:is )?)\d{3}[ \-]?\d{2}[ \-]?\d{4}\b"#, [.caseInsensitive]),
                 hints: [], needsDigit: true, validate: nil, minDigitRun: 9, search: .digitRuns(9)),
            Rule(kind: "NATIONAL_ID", regex: try rx(#"\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b"#, [.caseInsensitive]), hints: [], needsDigit: true, validate: nil, minDigitRun: 6, search: .spacedRuns(6)),
            Rule(kind: "IP", regex: try rx(#"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b|(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:%\w+)?(?![\w:])"#),
                 hints: [".", ":"], needsDigit: true, validate: Self.ipLike, shape: { $0.longestRun >= 4 || $0.ipv6Like }, search: .ipv4RunsUnlessIPv6),
            Rule(kind: "PHONE", regex: try rx(#"(?<![\w\-+])\+\d{1,3}(?:[ .\-]?\(?\d{1,5}\)?){2,5}(?![\w\-])|(?<![\w\-])(?:1[ .\-])?(?:\(\d{3}\)|\d{3})[ .\-]?\d{3}[ .\-]\d{4}(?![\w\-])|(?<=\b(?:call|phone|tel|telephone|mobile|cell|text|whatsapp|number|reach me)(?: me)?(?: on| at| is|:|\.)? ?)(?:1)?\d{10}\b|(?<![\w\-])0\d{2,4}[ \-]\d{3,4}[ \-]?\d{3,4}(?![\w\-])"#, [.caseInsensitive]),
                 hints: [], needsDigit: true, validate: Self.phoneLike, minDigitRun: 8, search: .phoneRuns),
            Rule(kind: "ADDRESS", regex: try rx(#"\b\d{1,5}[A-Za-z]?,? (?:[A-Z][a-z]+\.? ){1,4}(?:\#(streets))\b\.?(?:,? (?:Apt|Apartment|Suite|Unit|Flat|#) ?[A-Za-z0-9\-]+)?|\b[A-ZÄÖÜ][a-zäöüß]+(?:straße|strasse|weg|platz|gasse|allee) \d{1,4}[a-z]?\b|\b\d{1,4},? (?:rue|avenue|boulevard|place|chemin) (?:de la |de l'|des |du |de )?[A-Za-zÀ-ÿ\-]+(?: [A-Za-zÀ-ÿ\-]+)?"#),
                 hints: [], needsDigit: true, validate: nil, search: .streetWords),
            // A name after a cue: "my name is Jane Doe", "Dear Jane", "Mr. Doe", "Regards, Jane Doe".
            Rule(kind: "NAME", regex: try rx(#"(?:\b(?:[Mm]y name is|[Mm]y name's|[Nn]ame:|[Tt]his is|I am|I'm|[Dd]ear|[Hh]i|[Hh]ello|[Tt]hanks|[Rr]egards|[Ss]incerely|[Cc]heers|[Bb]est|[Ss]igned|[Cc]ontact|[Cc]ustomer|[Aa]ccount holder|[Cc]ardholder)[,:]?\s+|\b(?:Mr|Mrs|Ms|Miss|Dr|Prof|Mx)\.?\s+)(\#(surname)(?:\s+\#(surname)){0,2})"#),
                 hints: [], needsDigit: false, validate: Self.nameLike, group: 1, search: .nameCues),
            // A listed given name followed by a capitalised surname: "Jane Doe", "Priya Sharma".
            // (Two capitalised words, the first looked up in the list: one pass, not 400 alternatives.)
            Rule(kind: "NAME", regex: try rx(#"\b[A-ZÀ-Ý][a-zà-ÿ]+\s+\#(surname)(?:\s+\#(surname))?"#), hints: [], needsDigit: false, validate: Self.givenName, search: .givenNames),
        ]
        assert(rules.count == Self.builtinRuleCount)
        for (name, pattern) in extra {
            let kind = name.uppercased().replacingOccurrences(of: " ", with: "_")
            do {
                rules.append(Rule(kind: kind, regex: try NSRegularExpression(pattern: pattern), hints: [], needsDigit: false, validate: nil))
            } catch {
                throw TopicsError.invalid("redaction pattern '\(name)' is not a valid regular expression: \(pattern)")
            }
        }
        hintBytes = rules.map { $0.hints.map { Array($0.lowercased().utf8) } }
    }

    /// Capitalised words that follow the cues without being names.
    static let notNames: Set<String> = ["I", "The", "This", "That", "There", "It", "We", "You", "They", "He", "She", "My", "Your", "Our", "Team", "Support",
        "Customer", "Service", "Thanks", "Thank", "Regards", "Hello", "Hi", "Sir", "Madam", "All", "Everyone", "There", "Again", "Order", "Account",
        "Sorry", "Yes", "No", "Ok", "Okay", "Please", "Just", "Still", "Not", "Here", "What", "When", "Where", "Why", "How", "Can", "Could", "Would",
        "Is", "Are", "Was", "Agent", "Bot", "Assistant", "Manager", "Best", "Kind", "Warm", "Many", "Much", "So", "And", "But", "For", "Help",
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May", "June", "July",
        "August", "September", "October", "November", "December", "Going", "Trying", "Looking", "Calling", "Writing", "Having", "Getting", "Happy", "Glad",
        "Sure", "Good", "Great", "Fine", "Back", "New", "Also", "Very", "Really", "Available", "Unable", "Able", "Waiting", "Interested", "Done", "Ready",
        "As", "Urgent", "Important", "Re", "About", "Regarding", "From", "To", "With", "At", "On", "In", "If", "Or", "Of", "Do", "Does", "Did", "Have",
        "Has", "Had", "Let", "Need", "Want", "Any", "Some", "Every", "Since", "After", "Before", "Today", "Tomorrow", "Yesterday", "Now", "Then", "Well"]

    static let givenNameSet = Set(givenNames)
    /// The byte lengths and first bytes of the listed given names (cheap checks before a lookup).
    static let givenNameLengths: ClosedRange<Int> = (givenNameSet.map(\.utf8.count).min() ?? 1)...(givenNameSet.map(\.utf8.count).max() ?? 1)
    static let givenNameFirstBytes = ByteText.firstBytes(givenNameSet.map { Array($0.utf8) })

    /// A match whose first word is a listed given name.
    static func givenName(_ s: String) -> Bool {
        guard let first = s.split(whereSeparator: \.isWhitespace).first else { return false }
        return givenNameSet.contains(String(first))
    }

    /// A name match whose first word is not an ordinary capitalised word.
    static func nameLike(_ s: String) -> Bool {
        guard let first = s.split(separator: " ").first else { return false }
        return !notNames.contains(String(first)) && !notNames.contains(first.capitalized)
    }

    /// Keys after a "password:" or "api_key=" cue must look like secrets: a digit or a mix of cases.
    static func keyLike(_ s: String) -> Bool {
        if s.count >= 20 { return true }
        let digits = s.contains { $0.isNumber }, upper = s.contains { $0.isUppercase }, lower = s.contains { $0.isLowercase }
        return digits || (upper && lower)
    }

    /// An IPv6 candidate must parse as one (at most one "::", groups of 1-4 hex digits, 8 groups
    /// without compression), and contain a decimal digit ("::1" does, a bare "::" does not, whatever
    /// the text around it holds); IPv4 matches are already exact.
    static func ipLike(_ s: String) -> Bool {
        guard s.contains(":") else { return true }
        guard s.utf8.contains(where: ByteText.isDigit) else { return false }
        let addr = s.split(separator: "%", maxSplits: 1).first.map(String.init) ?? s
        var buf = in6_addr()
        guard inet_pton(AF_INET6, addr, &buf) == 1 else { return false }
        // Times and ratios like 12:30 never get here (two groups at least, and they would need "::").
        return addr.contains("::") || addr.split(separator: ":", omittingEmptySubsequences: false).count == 8
    }

    /// 8 to 15 digits, as in E.164.
    static func phoneLike(_ s: String) -> Bool {
        let n = s.filter(\.isNumber).count
        return (8...15).contains(n)
    }

    /// Whether a match of a built-in rule could span the end of this part, a blank line: only the
    /// name rules' matches hold line feeds ("Regards,\n\nJane Doe"), after a cue or a capitalised
    /// word. The other rules' matches hold no line feed.
    static func mayRunOn(_ part: Substring.UTF8View) -> Bool {
        var end = part.endIndex
        while end != part.startIndex, ByteText.isSpace(part[part.index(before: end)]) { end = part.index(before: end) }
        if end != part.startIndex, [UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: ":")].contains(part[part.index(before: end)]) { end = part.index(before: end) }
        var start = end
        while start != part.startIndex {
            let b = part[part.index(before: start)]
            guard ByteText.isWordByte(b) || b == UInt8(ascii: "'") || b == UInt8(ascii: "-") else { break }
            start = part.index(before: start)
        }
        guard start != end else { return false }
        let word = String(decoding: part[start..<end], as: UTF8.self)
        // A name may also start after a hyphen or an apostrophe ("pre-Jane").
        let tail = word.split(whereSeparator: { $0 == "-" || $0 == "'" }).last.map(String.init) ?? word
        return word.first?.isUppercase == true || tail.first?.isUppercase == true || nameCueEnds.contains(word.lowercased())
    }

    /// The last words of the name rule's cues that are not capitalised.
    static let nameCueEnds: Set<String> = ["is", "name", "name's", "am", "i'm", "dear", "hi", "hello", "thanks", "regards", "sincerely", "cheers",
                                           "best", "signed", "contact", "customer", "holder", "cardholder"]

    /// Off only in tests, which check that the pre-checks never skip a match.
    var prechecks = true

    /// Long texts seen before in this run (a system prompt, a policy, a repeated tool result).
    private let memo = TextMemo<String>()

    /// The text with every match replaced by `<KIND>`.
    public func redact(_ text: String) -> String {
        guard !text.isEmpty else { return text }
        guard prechecks else { return redactOnce(text) }
        // Paragraph by paragraph (a system prompt differs from the last one in a paragraph or two),
        // unless a team's own pattern might span a blank line, or a name could run on past one.
        guard rules.count == Self.builtinRuleCount, text.utf8.count >= 2 * memo.minBytes else { return memo.value(text, redactOnce) }
        return TextMemo<String>.parts(text, minBytes: memo.minBytes, together: Self.mayRunOn).map { memo.value(String($0), redactOnce) }.joined()
    }

    private func redactOnce(_ text: String) -> String {
        var out = text
        var shape = DigitShape(text)
        var lower: [UInt8]?
        for (r, rule) in rules.enumerated() {
            if rule.needsDigit && !shape.hasDigit { continue }
            if prechecks {
                if shape.longestRun < rule.minDigitRun { continue }
                if let want = rule.shape, !want(shape) { continue }
            }
            if !rule.hints.isEmpty {
                if lower == nil { lower = ByteText.lower(out) }
                if !hintBytes[r].contains(where: { ByteText.contains(lower!, $0) }) { continue }
            }
            let changed: String?
            var windows: [Range<Int>]?
            if prechecks {
                if case .hints = rule.search {
                    if lower == nil { lower = ByteText.lower(out) }
                    windows = shape.windows(aroundAny: hintBytes[r], in: lower!)
                } else {
                    windows = shape.windows(rule.search)
                }
            }
            if let windows,
               windows.reduce(0, { $0 + $1.count }) * 2 < out.utf8.count {  // else one search of the whole text is cheaper
                // Every match of this rule lies in one of these parts (its evidence, widened to
                // whitespace): only they are searched.
                let bytes = shape.bytes
                var result: [UInt8] = [], pos = 0, any = false
                for w in windows {
                    result += bytes[pos..<w.lowerBound]
                    if let r = apply(rule, to: String(decoding: bytes[w], as: UTF8.self)) { result += Array(r.utf8); any = true } else { result += bytes[w] }
                    pos = w.upperBound
                }
                result += bytes[pos...]
                changed = any ? String(decoding: result, as: UTF8.self) : nil
            } else {
                changed = apply(rule, to: out)
            }
            if let changed {
                out = changed
                lower = nil
                shape = DigitShape(out)
            }
        }
        return out
    }

    /// `text` with the rule's matches replaced, or nil when none was. A candidate the rule's check
    /// rejects ("Street Chlo" is no given name) does not hide a match that starts inside it ("Chloé
    /// Martin"): the search goes on from the character after the rejected candidate's start.
    private func apply(_ rule: Rule, to text: String) -> String? {
        let ns = text as NSString
        var result = ""
        var last = 0
        var changed = false
        var from = 0
        search: while from < ns.length {
            let matches = rule.regex.matches(in: text, options: .withTransparentBounds, range: NSRange(location: from, length: ns.length - from))
            for m in matches {
                let range = rule.group > 0 && m.numberOfRanges > rule.group && m.range(at: rule.group).location != NSNotFound ? m.range(at: rule.group) : m.range
                guard range.location >= last else { continue }
                let piece = ns.substring(with: range)
                if let v = rule.validate, !v(piece) {
                    from = m.range.location + 1
                    if from < ns.length, UTF16.isTrailSurrogate(ns.character(at: from)) { from += 1 }
                    continue search
                }
                result += ns.substring(with: NSRange(location: last, length: range.location - last))
                result += "<\(rule.kind)>"
                last = range.location + range.length
                changed = true
            }
            break
        }
        guard changed else { return nil }
        return result + ns.substring(from: last)
    }

    /// The Luhn checksum of a card number (spaces and dashes ignored).
    public static func luhn(_ s: String) -> Bool {
        let digits = s.compactMap { $0.wholeNumberValue }
        guard (13...19).contains(digits.count) else { return false }
        var sum = 0
        for (i, d) in digits.reversed().enumerated() {
            if i % 2 == 1 { let x = d * 2; sum += x > 9 ? x - 9 : x } else { sum += d }
        }
        return sum % 10 == 0
    }

    /// The ISO 13616 mod-97 check of an IBAN (any case).
    static func ibanChecksum(_ s: String) -> Bool {
        let c = Array(s.uppercased().filter { !$0.isWhitespace })
        guard c.count >= 15, c.count <= 34 else { return false }
        let rearranged = c[4...] + c[..<4]
        var rem = 0
        for ch in rearranged {
            if let d = ch.wholeNumberValue { rem = (rem * 10 + d) % 97 }
            else if let a = ch.asciiValue, a >= 65, a <= 90 { rem = (rem * 100 + Int(a) - 55) % 97 }
            else { return false }
        }
        return rem == 1
    }
}

