/// A growable block of plain registers (integers or floats) the VM indexes without bounds
/// checks: the code generator never names a register beyond its function's count, and a frame's
/// registers are made to exist before the frame runs (`Machine.grow`).
final class Registers<Element: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count: Int
    private let zero: Element

    init(zero: Element) {
        self.zero = zero
        count = 0
        base = .allocate(capacity: 16)
        capacity = 16
    }

    private var capacity: Int

    deinit { base.deallocate() }

    /// Makes registers `0..<n` exist; new ones hold zero.
    @inline(__always)
    func ensure(_ n: Int) {
        guard n > count else { return }
        if n > capacity {
            let newCapacity = max(n, capacity * 2)
            let fresh = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
            fresh.update(from: base, count: count)
            base.deallocate()
            base = fresh
            capacity = newCapacity
        }
        (base + count).initialize(repeating: zero, count: n - count)
        count = n
    }

    func removeAll() {
        count = 0
    }

    var elements: [Element] {
        get { Array(UnsafeBufferPointer(start: base, count: count)) }
        set {
            count = 0
            ensure(newValue.count)
            newValue.withUnsafeBufferPointer { base.update(from: $0.baseAddress!, count: newValue.count) }
        }
    }
}
