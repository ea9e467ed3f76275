// TopK: the first k rows of a total order without sorting them all (ORDER BY ... LIMIT n).

/// The first k of 0..<count in the order `less` gives (a total order), sorted: a max-heap of size k.
public enum TopK {
    public static func select(count: Int, k: Int, less: (Int, Int) -> Bool) -> [Int] {
        guard k > 0 else { return [] }
        var heap: [Int] = []
        heap.reserveCapacity(k)
        func siftUp(_ i0: Int) {
            var i = i0
            while i > 0 {
                let p = (i - 1) / 2
                if less(heap[p], heap[i]) { heap.swapAt(p, i); i = p } else { break }
            }
        }
        func siftDown(_ i0: Int) {
            var i = i0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count && less(heap[m], heap[l]) { m = l }
                if r < heap.count && less(heap[m], heap[r]) { m = r }
                if m == i { return }
                heap.swapAt(i, m)
                i = m
            }
        }
        for x in 0..<count {
            if heap.count < k { heap.append(x); siftUp(heap.count - 1) }
            else if less(x, heap[0]) { heap[0] = x; siftDown(0) }
        }
        return heap.sorted(by: less)
    }
}
