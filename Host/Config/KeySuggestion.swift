import Foundation

/// "did you mean …?" for a misspelt name (a configuration key, an event kind):
/// the closest known name within a few edits.
public enum KeySuggestion {
    /// The known key closest to `key`, when it is close enough to be a likely typo.
    public static func closest(to key: String, among known: [String]) -> String? {
        let normalized = key.lowercased().replacingOccurrences(of: "-", with: "_")
        var best: (key: String, distance: Int)?
        for candidate in known {
            if candidate == normalized { return candidate }
            let distance = editDistance(normalized, candidate)
            if distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        guard let best else { return nil }
        let allowed = max(2, min(key.count, best.key.count) / 3)
        return best.distance <= allowed ? best.key : nil
    }

    /// Levenshtein distance with adjacent transpositions counted as one edit.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previousPrevious[j - 2] + 1)
                }
            }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}
