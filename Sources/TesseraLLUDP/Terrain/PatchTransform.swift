import Foundation

/// The 16×16 cosine transform of a terrain patch and the tables around it, as viewers apply them
/// (docs/sl-protocol.md, "Terrain (LayerData)").
///
/// A patch's samples f(x, y) and its coefficients B(u, v) (u the frequency along y, v along x,
/// stored row-major as `u * 16 + v`) are related by
///
///     f(x, y) = 1/8 · Σu Σv c(u) c(v) B(u, v) cos((2y+1)uπ/32) cos((2x+1)vπ/32)
///     B(u, v) = 1/8 · c(u) c(v) Σy Σx f(x, y) cos((2y+1)uπ/32) cos((2x+1)vπ/32)
///
/// with c(0) = 1/√2 and c(k) = 1 otherwise. On the wire B(u, v) is divided by 1 + 2(u + v)
/// (coarser steps for finer detail), rounded to an integer, and listed in zig-zag order.
enum PatchTransform {
    static let size = 16
    static let count = size * size

    /// `zigzag[k]` is the row-major index `u * 16 + v` of the k-th coefficient on the wire: the
    /// anti-diagonals u + v = 0, 1, 2, … in turn, an even diagonal walked with v rising, an odd
    /// one with v falling: (0,0), then v=1,u=0, then v=0,u=1, then v=0,u=2, v=1,u=1, v=2,u=0, …
    static let zigzag: [Int] = {
        var order: [Int] = []
        order.reserveCapacity(count)
        for diagonal in 0...(2 * (size - 1)) {
            let low = max(0, diagonal - (size - 1)), high = min(diagonal, size - 1)
            let columns = diagonal % 2 == 0 ? Array(low...high) : Array((low...high).reversed())
            for v in columns { order.append((diagonal - v) * size + v) }
        }
        return order
    }()

    /// The divisor of coefficient `u * 16 + v`: 1 + 2(u + v).
    static let step: [Float] = (0..<count).map { Float(1 + 2 * ($0 / size + $0 % size)) }

    /// cos((2n+1)kπ/32) at `k * 16 + n`, in double precision for the encoder.
    static let cosines: [Double] = (0..<count).map { index in
        cos(Double(2 * (index % size) + 1) * Double(index / size) * Double.pi / Double(2 * size))
    }

    /// The same in single precision, as a viewer computes with them.
    static let cosinesF: [Float] = cosines.map(Float.init)

    static let inverseRootTwo = 0.5.squareRoot()

    /// B(u, v) of samples given row-major (y major, x fastest).
    static func forward(_ samples: [Double]) -> [Double] {
        // Along x for every row, then along y for every column.
        var rows = [Double](repeating: 0, count: count)
        for y in 0..<size {
            for v in 0..<size {
                var total = 0.0
                for x in 0..<size { total += samples[y * size + x] * cosines[v * size + x] }
                rows[y * size + v] = v == 0 ? total * inverseRootTwo : total
            }
        }
        var coefficients = [Double](repeating: 0, count: count)
        for v in 0..<size {
            for u in 0..<size {
                var total = 0.0
                for y in 0..<size { total += rows[y * size + v] * cosines[u * size + y] }
                coefficients[u * size + v] = (u == 0 ? total * inverseRootTwo : total) / 8
            }
        }
        return coefficients
    }

    /// Samples (row-major) of coefficients B(u, v), in single precision the way a viewer
    /// computes them: along u for every column without scale, then along v for every row,
    /// scaled by 2/16.
    static func inverse(_ coefficients: [Float]) -> [Float] {
        let rootHalf = Float(inverseRootTwo)
        var columns = [Float](repeating: 0, count: count)
        for v in 0..<size {
            for y in 0..<size {
                var total = rootHalf * coefficients[v]
                for u in 1..<size { total += coefficients[u * size + v] * cosinesF[u * size + y] }
                columns[y * size + v] = total
            }
        }
        var samples = [Float](repeating: 0, count: count)
        for y in 0..<size {
            for x in 0..<size {
                var total = rootHalf * columns[y * size]
                for v in 1..<size { total += columns[y * size + v] * cosinesF[v * size + x] }
                samples[y * size + x] = total * (2 / Float(size))
            }
        }
        return samples
    }
}
