/// A point in diagram coordinates (pixels, y down).
struct LayoutPoint: Sendable, Hashable {
    var x: Double
    var y: Double
}
