// Trace is a root span and its descendants as a tree: what `sift traces show` prints and what the
// topics pipeline turns into thread text.

/// The spans of one trace, arranged as a tree.
public struct Trace: Sendable {
    public let id: String
    public let spans: [Span]
    /// Index into `spans` of the root; the earliest span when no span is marked as root.
    public let rootIndex: Int
    /// For each span, the indexes of its children, ordered by start time.
    public let children: [[Int]]

    public var root: Span { spans[rootIndex] }

    /// Builds the tree. Spans whose parent is not in the trace hang under the root, so none is dropped.
    public init?(spans unsorted: [Span]) {
        guard !unsorted.isEmpty else { return nil }
        let spans = unsorted.sorted { ($0.start ?? $0.created.seconds, $0.id) < ($1.start ?? $1.created.seconds, $1.id) }
        self.spans = spans
        id = spans[0].rootSpanID
        var bySpanID: [String: Int] = [:]
        for (i, s) in spans.enumerated() where bySpanID[s.spanID] == nil { bySpanID[s.spanID] = i }
        let root = spans.firstIndex { $0.isRoot } ?? bySpanID[spans[0].rootSpanID] ?? 0
        rootIndex = root
        var children = Array(repeating: [Int](), count: spans.count)
        for (i, s) in spans.enumerated() where i != root {
            let parent = s.spanParents.last.flatMap { bySpanID[$0] }
            let p = (parent == nil || parent == i) ? root : parent!
            children[p].append(i)
        }
        // A parent cycle would make some spans unreachable from the root: hang those under it too.
        var seen = Array(repeating: false, count: spans.count)
        var stack = [root]
        while let i = stack.popLast() {
            guard !seen[i] else { continue }
            seen[i] = true
            stack.append(contentsOf: children[i])
        }
        for i in spans.indices where !seen[i] {
            for p in children.indices { children[p].removeAll { $0 == i } }
            children[root].append(i)
            var st = [i]
            while let j = st.popLast() { if !seen[j] { seen[j] = true; st.append(contentsOf: children[j]) } }
        }
        self.children = children
    }

    /// Depth-first walk from the root: (depth, span index).
    public func walk() -> [(depth: Int, index: Int)] {
        var out: [(Int, Int)] = []
        var stack: [(Int, Int)] = [(0, rootIndex)]
        while let (d, i) = stack.popLast() {
            out.append((d, i))
            for c in children[i].reversed() { stack.append((d + 1, c)) }
        }
        return out
    }

    /// Earliest start to latest end over all spans, in seconds.
    public var duration: Double? {
        let starts = spans.compactMap(\.start), ends = spans.compactMap(\.end)
        guard let s = starts.min(), let e = ends.max() else { return nil }
        return e - s
    }

    /// Tokens over the trace: the sum over non-root spans when they report any, else the root's own figure
    /// (a root often repeats its children's totals, which must not be counted twice).
    public var totalTokens: Int64? {
        let children = spans.indices.filter { $0 != rootIndex }.compactMap { spans[$0].totalTokens }
        return children.isEmpty ? root.totalTokens : children.reduce(0, +)
    }

    public var errorCount: Int { spans.filter { !$0.error.isNull }.count }
}
