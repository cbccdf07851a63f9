import CapHostCore
import CapHostMCP
import CapHostTestSupport
import Foundation
import Testing

/// `notifications/tools/list_changed` reaches every initialized session when
/// a load, a swap, an upgrade or an unload changes the tool list — and only then.
@Suite(.serialized) struct MCPListChangedTests {
    /// Runs `body` with a host serving adapter:bench by alpha and an initialized session on a
    /// started server that announces list changes after 20 ms; stops both afterwards.
    func withServer(alphaPriority: Int, _ body: (TestHost, MCPServer, inout MCPTestClient) async throws -> Void) async throws {
        try await TestHost.with { testHost in
            try await testHost.load("noop.c", as: "alpha.so", defines: MCPFixtures.noop(provider: "alpha", priority: alphaPriority))
            var options = MCPServer.Options()
            options.listChangedDebounce = .milliseconds(20)
            let server = MCPServer(host: testHost.host, options: options, logger: MCPFixtures.logger)
            server.start()
            try await withStopping(server, stop: { $0.stop() }) { server in
                var client = MCPTestClient(server.openSession())
                try await client.initialize()
                try await body(testHost, server, &client)
            }
        }
    }

    @Test func loadsSwapsUpgradesAndUnloadsAreAnnounced() async throws {
        try await withServer(alphaPriority: 10) { testHost, server, client in
            let pending = server.openSession()
            let heard = StreamRecorder(client.session.outboundMessages())
            let unheard = StreamRecorder(pending.outboundMessages())

            // A new slot: new tools.
            try await testHost.load("noop.c", as: "outbox.so", defines: MCPFixtures.noop(provider: "outbox", category: "notifier"))
            let afterLoad = try await heard.wait(for: 1)
            #expect(try JSONValue(parsing: afterLoad[0].bytes) == ["jsonrpc": "2.0", "method": "notifications/tools/list_changed"])
            #expect(afterLoad[0].sequence == 1)
            #expect(try await client.tools().keys.contains("adapter__notifier__echo"))

            // A second provider in a slot changes its tools' descriptions ("Providers: alpha, beta").
            try await testHost.load("noop.c", as: "beta.so", defines: MCPFixtures.noop(provider: "beta", priority: 0))
            try await heard.wait(for: 2)

            // A swap changes which provider the descriptions name.
            let swap = try await client.call("caphost_swap", ["slot": "adapter:bench", "provider": "beta"])
            #expect(!swap.isToolError)
            try await heard.wait(for: 3)
            #expect(try await client.tools()["adapter__bench__echo"]?["description"]?.stringValue?.contains("Served now by adapter:bench:beta") == true)

            // An event that changes nothing a client sees (a health check) is not announced.
            _ = await testHost.host.checkAdapterHealth(id: "adapter:bench:alpha")
            try await Task.sleep(for: .milliseconds(200))
            #expect(heard.items.count == 3)

            // An upgrade (a newer version of a provider, from another file) changes the version the description names.
            try await testHost.load("noop.c", as: "outbox-1.1.so", defines: MCPFixtures.noop(provider: "outbox", category: "notifier", version: "1.1.0"))
            try await heard.wait(for: 4)
            #expect(try await client.tools()["adapter__notifier__echo"]?["description"]?.stringValue?.contains("(plugin outbox 1.1.0)") == true)

            // Unloading removes the slot's tools.
            await testHost.host.unload(file: testHost.pluginsDirectory + "/outbox-1.1.so", reason: "test", drainTimeout: .seconds(1))
            try await heard.wait(for: 5)
            #expect(try await client.tools().keys.contains("adapter__notifier__echo") == false)
            #expect(heard.items.map(\.sequence) == [1, 2, 3, 4, 5])

            #expect(unheard.items.isEmpty, "a session that never sent notifications/initialized hears nothing")
            server.stop()
            try await eventually("the session streams finish when the server stops") { heard.isFinished && unheard.isFinished }
        }
    }

    @Test func aLateOrReconnectingConsumerGetsWhatItMissed() async throws {
        try await withServer(alphaPriority: 0) { testHost, server, client in
            // Nobody is listening yet: the notification waits in the session.
            try await testHost.load("noop.c", as: "outbox.so", defines: MCPFixtures.noop(provider: "outbox", category: "notifier"))
            // Long enough for the 20 ms debounce: the notification is posted before anyone attaches.
            try await Task.sleep(for: .milliseconds(300))
            let late = StreamRecorder(client.session.outboundMessages())
            #expect(try await late.wait(for: 1).first?.sequence == 1)
            // A replacement consumer asking to resume after 0 gets it again; the replaced stream finishes.
            let resumed = StreamRecorder(client.session.outboundMessages(after: 0))
            #expect(try await resumed.wait(for: 1).first?.sequence == 1)
            try await eventually("the replaced stream finishes") { late.isFinished }
        }
    }
}
