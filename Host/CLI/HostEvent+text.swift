import CapHostCore

extension HostEvent {
    /// `#12  12:00:01.250Z  swap_completed  adapter:x:b  reason`.
    var line: String {
        "#\(sequence)  \(time.iso8601)  \(kind.rawValue)  \(subject)  \(reason)"
    }
}
