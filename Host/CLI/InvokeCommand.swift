import ArgumentParser
import CapHostClient
import CapHostCore
import Foundation

/// `caphost invoke TARGET METHOD [PAYLOAD]`: call a capability through the running host.
struct InvokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoke",
        abstract: "Call a capability method through the running host and print the plugin's JSON response.",
        discussion: """
        TARGET is a slot, domain:category, to call whichever provider is active, or \
        one provider, domain:category:provider. The payload is JSON, validated by \
        the host against the method's input schema before the plugin sees it. Give \
        it as an argument, as @FILE, or as - to read standard input; with no \
        PAYLOAD, piped standard input is read, else {} is sent.

        The response is printed as the plugin wrote it (pretty-printed on a \
        terminal); the provider that answered is named on stderr. With --durable the \
        host journals the call before answering and delivers it with retries and \
        fail-over; the command prints the delivery id. An --idempotency-key makes a \
        repeated durable call return the first one.

        Examples:
          caphost invoke adapter:echo echo '{"text":"hello"}'
          caphost invoke adapter:notifier:outbox send @message.json
          jq -n '{to:["ops@example.com"],subject:"hi",text:"…"}' \\
            | caphost invoke adapter:notifier send
          caphost invoke adapter:notifier send @alert.json \\
            --durable --idempotency-key alert-42
        """)

    @Argument(help: ArgumentHelp("domain:category or domain:category:provider.", valueName: "target"))
    var target: String

    @Argument(help: ArgumentHelp("The method to call, as listed by `caphost explain` / the plugin.", valueName: "method"))
    var method: String

    @Argument(help: ArgumentHelp("JSON text, @FILE, or - for standard input.", valueName: "payload"))
    var payload: String?

    @Flag(help: "Journal the call and deliver it with retries; print the delivery id instead of waiting for the response.")
    var durable = false

    @Option(help: ArgumentHelp("With --durable: a key that makes repeating this call safe (the host returns the first delivery).", valueName: "key"))
    var idempotencyKey: String?

    @Option(help: ArgumentHelp("Seconds the call may take in the plugin before the host answers timeout (default: the host's).", valueName: "seconds"))
    var deadline: Double?

    @OptionGroup var client: ClientOptions

    func validate() throws {
        _ = try CapabilityArguments.target(target)
        if idempotencyKey != nil && !durable {
            throw ValidationError("--idempotency-key only applies to --durable calls")
        }
        if let deadline, !(deadline > 0 && deadline.isFinite) {
            throw ValidationError("--deadline must be a positive number of seconds, found \(deadline)")
        }
        if deadline != nil && durable {
            throw ValidationError("--deadline does not apply to --durable calls (the host's durable call_timeout does)")
        }
        guard !method.isEmpty, !method.contains("/") else {
            throw ValidationError("METHOD must be a method name such as send, found \"\(method)\"")
        }
    }

    func run() async throws {
        let reference = try CapabilityArguments.target(target)
        let bytes = try await readPayload()
        if durable {
            let receipt = try await client.withClient {
                try await $0.invokeDurably(reference, method: method, payload: bytes, idempotencyKey: idempotencyKey)
            }
            if client.json {
                try JSONOutput.print(receipt)
            } else {
                let key = receipt.idempotencyKey.map { " (idempotency key \($0))" } ?? ""
                Terminal.emit(receipt.repeated
                    ? "delivery \(receipt.deliveryId)\(key) already exists: \(receipt.state)"
                    : "delivery \(receipt.deliveryId)\(key) journaled: \(receipt.state)")
            }
            return
        }
        let result = try await client.withClient {
            try await $0.invoke(reference, method: method, payload: bytes, deadline: deadline.map { .milliseconds(Int64($0 * 1000)) })
        }
        if let provider = result.provider, Terminal.stderrIsTerminal || !client.json {
            Terminal.error("served by \(provider)")
        }
        if !client.json, Terminal.stdoutIsTerminal, let pretty = Self.prettyPrinted(result.body) {
            Terminal.emit(pretty)
        } else {
            FileHandle.standardOutput.write(Data(result.body))
            if result.body.last != UInt8(ascii: "\n") { FileHandle.standardOutput.write(Data("\n".utf8)) }
        }
    }

    /// The payload from the argument, @FILE, or standard input.
    private func readPayload() async throws -> [UInt8] {
        switch payload {
        case "-"?:
            return await Terminal.readStandardInput()
        case let text? where text.hasPrefix("@"):
            let path = String(text.dropFirst())
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("PAYLOAD \(text): cannot read \(path) (no such file, or not readable)")
            }
            return Array(data)
        case let text?:
            return Array(text.utf8)
        case nil:
            if Terminal.stdinIsTerminal { return Array("{}".utf8) }
            let bytes = await Terminal.readStandardInput()
            return bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) ? Array("{}".utf8) : bytes
        }
    }

    static func prettyPrinted(_ body: [UInt8]) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
