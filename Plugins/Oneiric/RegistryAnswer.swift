import Foundation

/// Where an answer came from: the registry now, the cache while fresh, the cache past its TTL
/// while the registry is down, or the host's own registry.
enum AnswerSource: String, Sendable {
    case remote, cache, stale, local
}

/// Renders answers: `{"source":…,"transport":…,"registry":…,["age_seconds":…,]["reason":…,]<fragment>}`,
/// where the fragment is the method's own members (`"adapters":[…],"count":n`), kept ready-made
/// in the cache.
struct RegistryAnswer: Sendable {
    /// `"transport":"grpc","registry":"127.0.0.1:8679"`, encoded once.
    private let origin: [UInt8]

    init(transport: String, registry: String) {
        origin = Array("\"transport\":\(Self.string(transport)),\"registry\":\(Self.string(registry))".utf8)
    }

    func render(_ source: AnswerSource, age: Duration? = nil, reason: String? = nil, fragment: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(fragment.count + origin.count + 96)
        bytes.append(contentsOf: #"{"source":""#.utf8)
        bytes.append(contentsOf: source.rawValue.utf8)
        bytes.append(contentsOf: #"","#.utf8)
        bytes.append(contentsOf: origin)
        if let age {
            // Milliseconds as seconds with three decimals, written digit by digit (the cache-hit path).
            let milliseconds = max(0, age.components.seconds * 1_000 + age.components.attoseconds / 1_000_000_000_000_000)
            bytes.append(contentsOf: #","age_seconds":"#.utf8)
            Self.appendDecimal(milliseconds / 1_000, to: &bytes)
            bytes.append(UInt8(ascii: "."))
            let fraction = milliseconds % 1_000
            bytes.append(UInt8(ascii: "0") + UInt8(fraction / 100))
            bytes.append(UInt8(ascii: "0") + UInt8(fraction / 10 % 10))
            bytes.append(UInt8(ascii: "0") + UInt8(fraction % 10))
        }
        if let reason {
            bytes.append(contentsOf: ",\"reason\":".utf8)
            bytes.append(contentsOf: Self.string(reason).utf8)
        }
        if !fragment.isEmpty {
            bytes.append(UInt8(ascii: ","))
            bytes.append(contentsOf: fragment)
        }
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    static func appendDecimal(_ value: Int64, to bytes: inout [UInt8]) {
        if value >= 10 { appendDecimal(value / 10, to: &bytes) }
        bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    /// `"adapters":[…],"count":n`.
    static func adaptersFragment(_ adapters: [RegistryAdapter]) -> [UInt8] {
        Array("\"adapters\":".utf8) + encode(adapters) + Array(",\"count\":\(adapters.count)".utf8)
    }

    /// `"adapter":{…}`.
    static func adapterFragment(_ adapter: RegistryAdapter) -> [UInt8] {
        Array("\"adapter\":".utf8) + encode(adapter)
    }

    static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map(Array.init) ?? Array("null".utf8)
    }

    /// A JSON string literal.
    static func string(_ text: String) -> String {
        String(decoding: encode(text), as: UTF8.self)
    }
}
