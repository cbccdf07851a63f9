import ArgumentParser
import CapHostClient
import Foundation

/// A client command's failure: printed as one message on stderr, then the exit
/// status — 1 when the host refused or failed the request, 2 when the endpoint
/// (URL, token, state files) is unusable, 3 when the host cannot be reached.
struct ClientCommandFailure: Error, CustomStringConvertible {
    let error: HostClientError

    init(_ error: HostClientError) { self.error = error }

    var exitCode: ExitCode {
        switch error.kind {
        case .unreachable, .connectionLost: ExitCode(3)
        case .invalidEndpoint: ExitCode(2)
        case .host, .unauthorized, .timeout, .invalidResponse: ExitCode(1)
        }
    }

    var description: String { error.description }
}
