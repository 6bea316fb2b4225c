import TesseraWorld

/// Buckets entities (id, slot and position) in square cells over the region, rebuilt every
/// frame, so interest queries look at nearby cells only and need no lookups to measure distance.
/// Entities are inserted, then `seal` lays them out cell by cell in one array, with each cell's
/// bounding box (so a query takes or skips a whole cell without measuring its entities) and, for
/// a crowded cell, the bit set of its slots (taken in one union instead of entity by entity).
/// A plain value: views of several avatars can be computed from it at once on several threads.
struct SpatialGrid: Sendable {
    struct Item: Sendable {
        let id: LocalID
        let slot: Int
        let position: Vector3
    }

    /// A cell's entities' bounding box.
    struct Bounds: Sendable {
        var low = Vector3(repeating: .infinity)
        var high = Vector3(repeating: -.infinity)
    }

    let cellSize: Float
    let cellsPerSide: Int
    /// Inserted since the last `removeAll`, with their cells; laid out by `seal`.
    private var staged: [(cell: Int, item: Item)] = []
    /// Every item, cell by cell: cell c holds items[starts[c]..<starts[c + 1]].
    private(set) var items: [Item] = []
    private(set) var starts: [Int]
    private(set) var bounds: [Bounds]
    /// Per cell: the index into `cellBits` of its slots' bit set, or -1 (a sparse cell).
    private var bitsIndex: [Int]
    private(set) var cellBits: [[UInt64]] = []
    /// Words of a bit set over every slot there is (`seal`'s capacity).
    private(set) var words = 0

    init(cellSize: Float) {
        self.cellSize = cellSize
        cellsPerSide = Int((regionSize / cellSize).rounded(.up))
        let cells = cellsPerSide * cellsPerSide
        starts = Array(repeating: 0, count: cells + 1)
        bounds = Array(repeating: Bounds(), count: cells)
        bitsIndex = Array(repeating: -1, count: cells)
    }

    mutating func removeAll() {
        staged.removeAll(keepingCapacity: true)
        items.removeAll(keepingCapacity: true)
        for index in starts.indices { starts[index] = 0 }
        for index in bounds.indices { bounds[index] = Bounds() }
        for index in bitsIndex.indices { bitsIndex[index] = -1 }
        cellBits.removeAll(keepingCapacity: true)
    }

    mutating func insert(_ id: LocalID, slot: Int, at position: Vector3) {
        staged.append((cellIndex(position.x) * cellsPerSide + cellIndex(position.y), Item(id: id, slot: slot, position: position)))
    }

    /// Lays the inserted items out by cell; `capacity` is the number of slots there are.
    mutating func seal(capacity: Int) {
        words = (capacity + 63) / 64
        let cells = cellsPerSide * cellsPerSide
        for entry in staged { starts[entry.cell + 1] += 1 }
        for cell in 0..<cells { starts[cell + 1] += starts[cell] }
        var next = Array(starts.prefix(cells))
        let placeholder = Item(id: 0, slot: 0, position: .zero)
        items = Array(repeating: placeholder, count: staged.count)
        for entry in staged {
            items[next[entry.cell]] = entry.item
            next[entry.cell] += 1
            bounds[entry.cell].low = pointwiseMin(bounds[entry.cell].low, entry.item.position)
            bounds[entry.cell].high = pointwiseMax(bounds[entry.cell].high, entry.item.position)
        }
        staged.removeAll(keepingCapacity: true)
        // A union of `words` words costs about what inserting a quarter as many items does.
        for cell in 0..<cells where (starts[cell + 1] - starts[cell]) * 4 >= max(words, 16) {
            var bits = [UInt64](repeating: 0, count: words)
            for item in items[starts[cell]..<starts[cell + 1]] { bits[item.slot >> 6] |= 1 << UInt64(item.slot & 63) }
            bitsIndex[cell] = cellBits.count
            cellBits.append(bits)
        }
    }

    /// Calls `body` for every item in a cell that overlaps the square of side 2·radius around
    /// `point`; callers filter by exact distance.
    func forEach(around point: Vector3, radius: Float, _ body: (Item) -> Void) {
        for x in cellIndex(point.x - radius)...cellIndex(point.x + radius) {
            for y in cellIndex(point.y - radius)...cellIndex(point.y + radius) {
                let cell = x * cellsPerSide + y
                for index in starts[cell]..<starts[cell + 1] { body(items[index]) }
            }
        }
    }

    /// What an avatar at `point` sees: every entity within `enter` metres, and those it saw
    /// (`old`) within `leave` metres, and its own slot. A cell entirely within `enter` is taken
    /// whole, one entirely beyond `leave` skipped; only the entities of cells across those
    /// distances are measured one by one.
    func view(from point: Vector3, own: Int, old: SlotSet, enter: Float, leave: Float) -> SlotSet {
        var view = SlotSet(capacity: words * 64)
        view.insert(own)
        let enterSquared = enter * enter
        let leaveSquared = leave * leave
        for x in cellIndex(point.x - leave)...cellIndex(point.x + leave) {
            for y in cellIndex(point.y - leave)...cellIndex(point.y + leave) {
                let cell = x * cellsPerSide + y
                let start = starts[cell], end = starts[cell + 1]
                if start == end { continue }
                let box = bounds[cell]
                let nearest = pointwiseMax(pointwiseMax(box.low - point, point - box.high), .zero)
                if (nearest * nearest).sum() > leaveSquared { continue }
                let farthest = pointwiseMax(point - box.low, box.high - point)
                if (farthest * farthest).sum() <= enterSquared {
                    if bitsIndex[cell] >= 0 {
                        view.formUnion(cellBits[bitsIndex[cell]])
                    } else {
                        for index in start..<end { view.insert(items[index].slot) }
                    }
                    continue
                }
                for index in start..<end {
                    let item = items[index]
                    let distanceSquared = item.position.distanceSquared(to: point)
                    if distanceSquared <= enterSquared || (distanceSquared <= leaveSquared && old.contains(item.slot)) {
                        view.insert(item.slot)
                    }
                }
            }
        }
        return view
    }

    /// Any coordinate maps to a cell, never traps: beyond the edges to the edge cells, a
    /// non-finite one to cell 0.
    private func cellIndex(_ coordinate: Float) -> Int {
        guard coordinate.isFinite else { return 0 }
        let cell = min(max((coordinate / cellSize).rounded(.down), 0), Float(cellsPerSide - 1))
        return Int(cell)
    }
}
