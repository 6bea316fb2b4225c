import TesseraWorld

/// Dense slot numbers for the region's entities, so per-avatar views can be bit sets: a
/// membership test is one bit, and the difference of two views is a few hundred word
/// operations instead of thousands of hash lookups. Slots are reused after removal; removal
/// clears the slot from every view first, so a reused slot never inherits a stale bit.
struct EntitySlots {
    private(set) var ids: [LocalID] = []
    private var slotOf: [LocalID: Int] = [:]
    private var free: [Int] = []

    var capacity: Int { ids.count }

    mutating func add(_ id: LocalID) -> Int {
        let slot = free.popLast() ?? ids.count
        if slot == ids.count { ids.append(id) } else { ids[slot] = id }
        slotOf[id] = slot
        return slot
    }

    mutating func remove(_ id: LocalID) {
        guard let slot = slotOf.removeValue(forKey: id) else { return }
        ids[slot] = 0
        free.append(slot)
    }

    func slot(of id: LocalID) -> Int? { slotOf[id] }
}

/// A set of entity slots.
struct SlotSet: Equatable, Sendable {
    private(set) var words: [UInt64] = []

    init() {}

    init(capacity: Int) {
        words = Array(repeating: 0, count: (capacity + 63) / 64)
    }

    func contains(_ slot: Int) -> Bool {
        let word = slot >> 6
        return word < words.count && words[word] & (1 << UInt64(slot & 63)) != 0
    }

    mutating func insert(_ slot: Int) {
        let word = slot >> 6
        if word >= words.count { words.append(contentsOf: repeatElement(0, count: word - words.count + 1)) }
        words[word] |= 1 << UInt64(slot & 63)
    }

    /// Adds every slot of a bit set of the same layout.
    mutating func formUnion(_ other: [UInt64]) {
        if other.count > words.count { words.append(contentsOf: repeatElement(0, count: other.count - words.count)) }
        for index in other.indices { words[index] |= other[index] }
    }

    mutating func remove(_ slot: Int) {
        let word = slot >> 6
        guard word < words.count else { return }
        words[word] &= ~(1 << UInt64(slot & 63))
    }

    var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// Slots in `self` but not in `other`, ascending.
    func slots(notIn other: SlotSet) -> [Int] {
        var result: [Int] = []
        for index in words.indices {
            var word = words[index] & ~(index < other.words.count ? other.words[index] : 0)
            while word != 0 {
                result.append(index << 6 | word.trailingZeroBitCount)
                word &= word - 1
            }
        }
        return result
    }

    var slots: [Int] { slots(notIn: SlotSet()) }
}
