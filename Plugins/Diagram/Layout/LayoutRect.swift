/// An axis-aligned rectangle in diagram coordinates: `x`, `y` is the top-left corner.
struct LayoutRect: Sendable, Hashable {
    var x: Double
    var y: Double
    var width: Double
    var height: Double

    var midX: Double { x + width / 2 }
    var midY: Double { y + height / 2 }
    var maxX: Double { x + width }
    var maxY: Double { y + height }
    var center: LayoutPoint { LayoutPoint(x: midX, y: midY) }

    /// Whether the two rectangles share interior area (touching edges do not count).
    func overlaps(_ other: LayoutRect) -> Bool {
        x < other.maxX && other.x < maxX && y < other.maxY && other.y < maxY
    }

    /// The smallest rectangle containing both.
    func union(_ other: LayoutRect) -> LayoutRect {
        let left = min(x, other.x), top = min(y, other.y)
        return LayoutRect(x: left, y: top, width: max(maxX, other.maxX) - left, height: max(maxY, other.maxY) - top)
    }

    /// This rectangle grown by `dx`, `dy` on each side.
    func insetBy(dx: Double, dy: Double) -> LayoutRect {
        LayoutRect(x: x + dx, y: y + dy, width: width - 2 * dx, height: height - 2 * dy)
    }
}
