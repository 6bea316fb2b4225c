import TesseraWorld

/// Buckets entity ids by position in square cells over the region, rebuilt every frame, so
/// interest queries look at nearby cells only.
struct SpatialGrid {
    let cellSize: Float
    let cellsPerSide: Int
    private var cells: [[LocalID]]

    init(cellSize: Float) {
        self.cellSize = cellSize
        cellsPerSide = Int((regionSize / cellSize).rounded(.up))
        cells = Array(repeating: [], count: cellsPerSide * cellsPerSide)
    }

    mutating func removeAll() {
        for index in cells.indices { cells[index].removeAll(keepingCapacity: true) }
    }

    mutating func insert(_ id: LocalID, at position: Vector3) {
        cells[cellIndex(position.x) * cellsPerSide + cellIndex(position.y)].append(id)
    }

    /// Every id in a cell that overlaps the square of side 2·radius around `point`; callers
    /// filter by exact distance.
    func query(around point: Vector3, radius: Float) -> [LocalID] {
        var result: [LocalID] = []
        for x in cellIndex(point.x - radius)...cellIndex(point.x + radius) {
            for y in cellIndex(point.y - radius)...cellIndex(point.y + radius) {
                result.append(contentsOf: cells[x * cellsPerSide + y])
            }
        }
        return result
    }

    private func cellIndex(_ coordinate: Float) -> Int {
        min(max(Int(coordinate / cellSize), 0), cellsPerSide - 1)
    }
}
