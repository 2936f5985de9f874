/// Sorting tuned for input that is almost in order, such as events in commit order sorted by
/// their producers' timestamps.
enum NearlySortedSort {
    /// Sorts `buffer` by `less`.
    ///
    /// An insertion sort runs first; it finishes in O(n + d) when the elements are displaced by d
    /// positions in all. If d grows past 8n it hands what it has over to the standard library's
    /// O(n log n) sort, so disordered input costs at most a constant factor more.
    ///
    /// - Complexity: O(n + d), and O(n log n) at worst.
    static func sort<T>(_ buffer: UnsafeMutableBufferPointer<T>, by less: (T, T) -> Bool) {
        guard buffer.count > 1 else { return }
        var budget = 8 * buffer.count + 64
        for index in 1..<buffer.count {
            let element = buffer[index]
            var hole = index
            while hole > 0 && less(element, buffer[hole - 1]) {
                buffer[hole] = buffer[hole - 1]
                hole -= 1
            }
            buffer[hole] = element
            budget -= index - hole
            if budget < 0 {
                var whole = buffer
                whole.sort(by: less)
                return
            }
        }
    }
}
