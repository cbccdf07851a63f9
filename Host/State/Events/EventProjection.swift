import CapHostCore
import GRDB

/// State derived from archived events, kept in the same transaction as the
/// events themselves (`PinStore` is one): it is exactly as durable as the
/// archive and needs no sink of its own.
protocol EventProjection: Sendable {
    /// Applies one newly archived event inside the archive's write transaction.
    func apply(_ event: HostEvent, in db: Database) throws
}
