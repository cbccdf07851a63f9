import NIOCore

/// Collects inbound bytes until the first newline and fulfils the promise with the line.
final class LineReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let line: EventLoopPromise<String>
    private var received = ByteBuffer()

    init(line: EventLoopPromise<String>) {
        self.line = line
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        received.writeBuffer(&chunk)
        let view = received.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else { return }
        var text = String(decoding: view[view.startIndex..<newline], as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        line.succeed(text)
    }

    func channelInactive(context: ChannelHandlerContext) {
        line.fail(ChannelError.eof)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        line.fail(error)
        context.close(promise: nil)
    }
}
