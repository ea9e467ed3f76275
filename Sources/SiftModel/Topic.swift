// What the topics pipeline makes and the store keeps: facet summaries, classifications, topics and
// their lifecycle, topic runs. Plain values shared by SiftTopics (which computes them) and SiftStore
// (which keeps them), so neither has to know the other.

/// Where a topic is in its lifecycle across runs.
public enum TopicStatus: String, Sendable, CaseIterable {
    /// Found by this run and continued from an earlier one (or found by the first run).
    case active
    /// Found by this run with no earlier topic to continue.
    case new
    /// Its traces went to another topic (named by `mergedInto`).
    case merged
    /// Not found again.
    case retired

    /// Active and new topics take traces; merged and retired ones are kept for history.
    public var isLive: Bool { self == .active || self == .new }
}

/// How a topic run ended (runs that were killed stay `running`).
public enum TopicRunStatus: String, Sendable {
    case running, done, failed
}

/// The ids of a facet's topics that are not clusters, and the slug that prefixes every topic id.
public enum TopicID {
    /// A facet or label name as an id part: lower case, anything but letters and digits as `_`.
    public static func slug(_ s: String) -> String {
        String(s.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }
    /// Traces far from every topic of the facet: kept aside, labelled no_match.
    public static func unclustered(facet: String) -> String { slug(facet) + "-unclustered" }
    /// Traces whose answer was NONE (nothing to report).
    public static func none(facet: String) -> String { slug(facet) + "-none" }
    /// A parent topic (numbered per facet).
    public static func parent(_ number: Int, facet: String) -> String { slug(facet) + "-group-" + String(number) }
    /// The topic of a label of a label-set facet.
    public static func label(_ label: String, facet: String) -> String { slug(facet) + "-" + slug(label) }
}

public struct FacetRow: Sendable {
    public var trace: String
    public var facet: String
    public var value: String?
    public var source: String
    public init(trace: String, facet: String, value: String?, source: String) {
        self.trace = trace; self.facet = facet; self.value = value; self.source = source
    }
}

public struct ClassificationRow: Sendable {
    public var trace: String
    public var topicID: String?
    public var label: String?
    public var confidence: Double?
    public var distance: Double?
    public var metadata: String?
    public var x: Double?
    public var y: Double?
    public init(trace: String, topicID: String?, label: String?, confidence: Double?, distance: Double?, metadata: String?, x: Double? = nil, y: Double? = nil) {
        self.trace = trace; self.topicID = topicID; self.label = label; self.confidence = confidence
        self.distance = distance; self.metadata = metadata; self.x = x; self.y = y
    }
}

/// A topic as stored: its label and terms, its centroid in the embedder's space (empty for topics
/// that are labels, NONE and no_match), and where it is in its lifecycle.
public struct StoredTopic: Sendable {
    public var id: String
    public var facet: String
    public var label: String
    public var description: String?
    public var terms: [String]
    public var centroid: [Float]
    public var radius: Double?
    public var size: Int
    public var status: TopicStatus
    public var mergedInto: String?
    public var confirmation: String?
    public var embeddingModel: String?
    public var firstRun: Int64?
    public var lastRun: Int64?
    /// The parent topic (the upper level of the facet's two) this topic belongs to, and its label;
    /// nil for fixed topics and for facets with too few topics to group.
    public var parent: String?
    public var parentLabel: String?

    public init(id: String, facet: String, label: String, description: String?, terms: [String], centroid: [Float], radius: Double?, size: Int,
                status: TopicStatus, mergedInto: String? = nil, confirmation: String? = nil, embeddingModel: String? = nil, firstRun: Int64? = nil, lastRun: Int64? = nil,
                parent: String? = nil, parentLabel: String? = nil) {
        self.id = id; self.facet = facet; self.label = label; self.description = description; self.terms = terms
        self.centroid = centroid; self.radius = radius; self.size = size; self.status = status; self.mergedInto = mergedInto
        self.confirmation = confirmation; self.embeddingModel = embeddingModel; self.firstRun = firstRun; self.lastRun = lastRun
        self.parent = parent; self.parentLabel = parentLabel
    }
}

public struct TopicRunInfo: Sendable {
    public var id: Int64
    public var facet: String
    public var started: Timestamp
    public var finished: Timestamp?
    public var status: String   // a TopicRunStatus, or what an older Sift wrote
    public var facetModel: String?
    public var embeddingModel: String?
    public var params: Value
    public var counts: Value

    public init(id: Int64, facet: String, started: Timestamp, finished: Timestamp?, status: String, facetModel: String?, embeddingModel: String?,
                params: Value, counts: Value) {
        self.id = id; self.facet = facet; self.started = started; self.finished = finished; self.status = status
        self.facetModel = facetModel; self.embeddingModel = embeddingModel; self.params = params; self.counts = counts
    }
}

