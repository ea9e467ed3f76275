// Time-range pushdown: AND-ed comparisons of `created` with a constant become the plan's lowerTime and
// upperTime, so the scan reads only that range (and, in memory, TimeRange drops the rest). Only in the
// spans shape: in the traces and summary shapes a condition picks whole traces, so a span outside the
// range may still belong to a chosen trace.

enum TimeRangePushdown {
    static func apply(to plan: inout LogicalPlan, shape: Shape) {
        guard shape == .spans, let f = plan.filter else { return }
        for c in f.conjuncts { push(c, into: &plan) }
    }

    /// `created > X`, `created >= X`, `X < created`, `created BETWEEN A AND B`, with X constant.
    static func push(_ c: Expr, into plan: inout LogicalPlan) {
        func isCreated(_ e: Expr) -> Bool { if case .name("created", _) = e.kind { return true }; return false }
        switch c.kind {
        case .binary(var op, let a, let b, false):
            // `X < created` reads as `created > X`: mirror the operator and take one path.
            let bound: Expr
            if isCreated(a) && b.isConstant {
                bound = b
            } else if isCreated(b) && a.isConstant {
                bound = a
                let mirrored: [BinaryOperator: BinaryOperator] = [.less: .greater, .lessOrEqual: .greaterOrEqual, .greater: .less, .greaterOrEqual: .lessOrEqual]
                guard let m = mirrored[op] else { return }
                op = m
            } else {
                return
            }
            switch op {
            case .greater: plan.lowerTime = TimeBound(value: bound, inclusive: false)
            case .greaterOrEqual: plan.lowerTime = TimeBound(value: bound, inclusive: true)
            case .less: plan.upperTime = TimeBound(value: bound, inclusive: false)
            case .lessOrEqual: plan.upperTime = TimeBound(value: bound, inclusive: true)
            default: break
            }
        case .between(let x, let lo, let hi, false) where isCreated(x) && lo.isConstant && hi.isConstant:
            plan.lowerTime = TimeBound(value: lo, inclusive: true)
            plan.upperTime = TimeBound(value: hi, inclusive: true)
        default: break
        }
    }
}
