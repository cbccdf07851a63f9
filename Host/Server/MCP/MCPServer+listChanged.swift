import CapHostCore

/// `notifications/tools/list_changed`: every host event (load, unload,
/// upgrade, swap, pin …) starts a short settling period; when the host has
/// been quiet for `listChangedDebounce`, the tool list is rebuilt and, if its
/// digest differs from the one clients last heard of, every initialized
/// session is told.
extension MCPServer {
    /// Starts watching the host's events. Idempotent.
    public func start() {
        tracking.withLock { tracking in
            guard tracking.watcher == nil else { return }
            let events = host.events.subscribe()
            tracking.announcedDigest = rebuildCatalog().digest
            tracking.watcher = Task { [weak self] in
                for await _ in events {
                    guard let self else { return }
                    self.hostChanged()
                }
            }
        }
    }

    /// Stops watching and closes every session (their outbound streams finish).
    public func stop() {
        let watcher = tracking.withLock { tracking -> Task<Void, Never>? in
            defer { tracking.watcher = nil }
            return tracking.watcher
        }
        watcher?.cancel()
        for session in openSessions { session.close() }
    }

    private func hostChanged() {
        let startSettling = tracking.withLock { tracking -> Bool in
            if tracking.settling {
                tracking.eventsWhileSettling = true
                return false
            }
            tracking.settling = true
            return true
        }
        guard startSettling else { return }
        Task { [weak self] in await self?.settleAndAnnounce() }
    }

    private func settleAndAnnounce() async {
        // A host that never stays quiet still gets its list announced every few periods.
        var busyPeriods = 0
        while true {
            try? await Task.sleep(for: options.listChangedDebounce)
            let busy = tracking.withLock { tracking -> Bool in
                defer { tracking.eventsWhileSettling = false }
                return tracking.eventsWhileSettling
            }
            if busy && busyPeriods < 8 {
                busyPeriods += 1
                continue
            }
            busyPeriods = 0
            announceIfChanged()
            let again = tracking.withLock { tracking -> Bool in
                if tracking.eventsWhileSettling { return true }
                tracking.settling = false
                return false
            }
            if !again { return }
        }
    }

    /// Rebuilds the tool list and tells every initialized session when it differs from the last announced one.
    func announceIfChanged() {
        let digest = rebuildCatalog().digest
        let changed = tracking.withLock { tracking -> Bool in
            guard tracking.announcedDigest != digest else { return false }
            tracking.announcedDigest = digest
            return true
        }
        guard changed else { return }
        let notification = JSONRPCReply.notification(method: "notifications/tools/list_changed")
        let recipients = openSessions.filter(\.isInitialized)
        logger.info("MCP tool list changed (\(currentCatalog().tools.count) tools); telling \(recipients.count) session(s)")
        for session in recipients { session.post(notification) }
    }
}
