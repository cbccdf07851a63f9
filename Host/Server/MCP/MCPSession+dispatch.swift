import CapHostCore
import Logging

/// JSON-RPC 2.0 dispatch for one session: lifecycle (`initialize`,
/// `notifications/initialized`, `ping`) and tools (`tools/list`, `tools/call`).
///
/// Batches (a JSON array of messages) are accepted only on sessions that
/// negotiated 2025-03-26, the one revision that has them; elsewhere, and
/// before `initialize` (which may never be batched), a batch is refused with
/// -32600.
extension MCPSession {
    /// Handles one transport message (a JSON-RPC message or batch) and returns
    /// the reply to send, or nil when there is none (notifications, responses).
    public func receive(_ bytes: [UInt8]) async -> [UInt8]? {
        await reply(to: bytes)?.serialized()
    }

    func reply(to bytes: [UInt8]) async -> JSONValue? {
        let document: JSONValue
        do {
            document = try JSONValue(parsing: bytes)
        } catch {
            touch()
            return JSONRPCReply.error(id: .null, .parseError(error))
        }
        return await reply(to: document)
    }

    func reply(to document: JSONValue) async -> JSONValue? {
        touch()
        guard case .array(let items) = document else {
            return await handle(JSONRPCMessage(document), inBatch: false)
        }
        guard let version = protocolVersion, MCPProtocolVersion.allowsBatches(version) else {
            let when = protocolVersion.map { "on protocol \($0)" } ?? "before initialize"
            return JSONRPCReply.error(id: .null, .invalidRequest(
                "JSON-RPC batches are not accepted \(when) (MCP has them only in 2025-03-26); send one message at a time"))
        }
        guard !items.isEmpty else { return JSONRPCReply.error(id: .null, .invalidRequest("the batch is empty")) }
        guard items.count <= server.options.maximumBatchMessages else {
            return JSONRPCReply.error(id: .null, .invalidRequest(
                "the batch holds \(items.count) messages; at most \(server.options.maximumBatchMessages) are accepted in one batch"))
        }
        // Members run concurrently (a slow tool does not hold up a ping); replies keep their order.
        let replies = await withTaskGroup(of: (Int, JSONValue?).self) { group in
            for (offset, item) in items.enumerated() {
                group.addTask { (offset, await self.handle(JSONRPCMessage(item), inBatch: true)) }
            }
            var collected: [(Int, JSONValue?)] = []
            for await reply in group { collected.append(reply) }
            return collected.sorted { $0.0 < $1.0 }.compactMap(\.1)
        }
        return replies.isEmpty ? nil : .array(replies)
    }

    func handle(_ message: JSONRPCMessage, inBatch: Bool) async -> JSONValue? {
        switch message {
        case .invalid(let id, let error):
            return JSONRPCReply.error(id: id, error)
        case .response:
            return nil
        case .notification(let method, _):
            handleNotification(method)
            return nil
        case .request(let id, let method, let params):
            do throws(JSONRPCError) {
                return JSONRPCReply.result(id: id, try await handleRequest(method, params: params, inBatch: inBatch))
            } catch {
                return JSONRPCReply.error(id: id, error)
            }
        }
    }

    private func handleNotification(_ method: String) {
        switch method {
        case "notifications/initialized":
            let accepted = state.withLock { state -> Bool in
                guard state.protocolVersion != nil else { return false }
                state.initialized = true
                return true
            }
            if !accepted { server.logger.debug("MCP session \(id): notifications/initialized before initialize, ignored") }
        default:
            // notifications/cancelled and others: a plugin call cannot be cancelled; nothing to do.
            server.logger.trace("MCP session \(id): notification \(method) ignored")
        }
    }

    private func handleRequest(_ method: String, params: [String: JSONValue], inBatch: Bool) async throws(JSONRPCError) -> JSONValue {
        switch method {
        case "initialize":
            return try initialize(params, inBatch: inBatch)
        case "ping":
            return [:]
        case "tools/list":
            try requireInitialize(method)
            if let cursor = params["cursor"], !cursor.isNull {
                throw .invalidParams("unknown cursor \(cursor.summary): this server lists every tool in one page and issues no cursors")
            }
            return server.currentCatalog().listResult
        case "tools/call":
            try requireInitialize(method)
            return try await callTool(params)
        default:
            throw .methodNotFound(method)
        }
    }

    private func initialize(_ params: [String: JSONValue], inBatch: Bool) throws(JSONRPCError) -> JSONValue {
        if inBatch { throw .invalidRequest("initialize must not be part of a JSON-RPC batch") }
        guard let requested = params["protocolVersion"]?.stringValue else {
            throw .invalidParams("\"protocolVersion\" (string) is required, found \(params["protocolVersion"]?.summary ?? "nothing")")
        }
        let negotiated = MCPProtocolVersion.negotiate(requested)
        let clientName = params["clientInfo"]?["name"]?.stringValue
        let previous = state.withLock { state -> String? in
            guard state.protocolVersion == nil else { return state.protocolVersion }
            state.protocolVersion = negotiated
            state.clientName = clientName
            return nil
        }
        if let previous {
            throw .invalidRequest("the session is already initialized (protocol \(previous)); start a new session to initialize again")
        }
        server.logger.info("MCP session \(id): \(clientName ?? "a client") initialized, protocol \(negotiated) (asked for \(requested))")
        var serverInfo: [String: JSONValue] = ["name": .string(server.options.serverName),
                                               "version": .string(server.options.serverVersion)]
        if negotiated != "2025-03-26" { serverInfo["title"] = .string(server.options.serverTitle) }
        var result: [String: JSONValue] = [
            "protocolVersion": .string(negotiated),
            "capabilities": ["tools": ["listChanged": true]],
            "serverInfo": .object(serverInfo),
        ]
        if let instructions = server.options.instructions { result["instructions"] = .string(instructions) }
        return .object(result)
    }

    private func requireInitialize(_ method: String) throws(JSONRPCError) {
        if protocolVersion == nil {
            throw .invalidRequest("\(method) before initialize: the session must begin with an initialize request")
        }
    }

    private func callTool(_ params: [String: JSONValue]) async throws(JSONRPCError) -> JSONValue {
        guard let name = params["name"]?.stringValue else {
            throw .invalidParams("\"name\" (string) is required, found \(params["name"]?.summary ?? "nothing")")
        }
        let arguments: [String: JSONValue]
        switch params["arguments"] {
        case nil, .null?: arguments = [:]
        case .object(let members)?: arguments = members
        case let other?: throw .invalidParams("\"arguments\" must be an object, found \(other.summary)")
        }
        guard let tool = server.tool(named: name) else {
            throw .invalidParams("unknown tool '\(name)' (tools/list names every tool)", data: ["tool": .string(name)])
        }
        return await server.call(tool, arguments: arguments).json
    }
}
