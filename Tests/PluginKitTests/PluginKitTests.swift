import Testing

/// Every PluginKit test, run one at a time: the kit's count of outstanding response buffers is
/// per process, so tests that check it must not overlap with others that allocate buffers.
@Suite(.serialized)
struct PluginKitTests {}
