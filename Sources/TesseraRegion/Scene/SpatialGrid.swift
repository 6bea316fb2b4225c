import TesseraWorld

/// Buckets entities (id and position) in square cells over the region, rebuilt every frame,
/// so interest queries look at nearby cells only and need no lookups to measure distance.
struct SpatialGrid {
    struct Item {
        let id: LocalID
        let slot: Int
        let position: Vector3
    }

    let cellSize: Float
    let cellsPerSide: Int
    private var cells: [[Item]]

    init(cellSize: Float) {
        self.cellSize = cellSize
        cellsPerSide = Int((regionSize / cellSize).rounded(.up))
        cells = Array(repeating: [], count: cellsPerSide * cellsPerSide)
    }

    mutating func removeAll() {
        for index in cells.indices { cells[index].removeAll(keepingCapacity: true) }
    }

    mutating func insert(_ id: LocalID, slot: Int, at position: Vector3) {
        cells[cellIndex(position.x) * cellsPerSide + cellIndex(position.y)].append(Item(id: id, slot: slot, position: position))
    }

    /// Calls `body` for every item in a cell that overlaps the square of side 2·radius around
    /// `point`; callers filter by exact distance.
    func forEach(around point: Vector3, radius: Float, _ body: (Item) -> Void) {
        for x in cellIndex(point.x - radius)...cellIndex(point.x + radius) {
            for y in cellIndex(point.y - radius)...cellIndex(point.y + radius) {
                for item in cells[x * cellsPerSide + y] { body(item) }
            }
        }
    }

    /// Any coordinate maps to a cell, never traps: beyond the edges to the edge cells, a
    /// non-finite one to cell 0.
    private func cellIndex(_ coordinate: Float) -> Int {
        guard coordinate.isFinite else { return 0 }
        let cell = min(max((coordinate / cellSize).rounded(.down), 0), Float(cellsPerSide - 1))
        return Int(cell)
    }
}
