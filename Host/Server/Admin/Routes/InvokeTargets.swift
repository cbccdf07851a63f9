import CapHostCore
import Synchronization

/// The call sites of invoke paths already served, by the path after
/// `/v1/invoke/`: a repeated invoke skips parsing its path and looking its
/// slot and method up. Slots are never removed and a cached site only names
/// a declared method, so a site stays right for as long as the host runs
/// (the provider is still resolved, and leased, on every call). Paths that do
/// not resolve are never kept; the cache starts over when it is full.
final class InvokeTargets: Sendable {
    private let sites = Mutex<[Substring: CallSite]>([:])
    /// Most paths kept at once: far more than a host's slots × methods.
    static let capacity = 1024

    /// The call site for `path` (`domain/category[/provider]/method`).
    func site(for path: Substring, invoker: Invoker) throws -> CallSite {
        if let site = sites.withLock({ $0[path] }) { return site }
        let (reference, method) = try InvokeRoutes.target(path)
        let site: CallSite
        do throws(InvocationError) {
            site = try invoker.callSite(reference, method: method)
        } catch {
            throw APIError(error)
        }
        if site.isReusable {
            sites.withLock { sites in
                if sites.count >= Self.capacity { sites.removeAll(keepingCapacity: true) }
                sites[Substring(String(path))] = site
            }
        }
        return site
    }
}
