// The topics pipeline's errors: bad input (a facet, a pattern), too few traces, and model trouble.

public enum TopicsError: Error, CustomStringConvertible, Equatable {
    case invalid(String)
    case tooFew(String)
    case model(String)

    public var description: String {
        switch self {
        case .invalid(let s), .tooFew(let s), .model(let s): return s
        }
    }
}
