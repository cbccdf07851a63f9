import CapHostState
import CapHostTestSupport

extension TemporaryFolder {
    /// Opens (creating) the state database in `<folder>/state`.
    func open() throws -> StateDatabase { try StateDatabase.open(stateDirectory: path + "/state") }
}
