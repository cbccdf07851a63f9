import CapHostCore
import OneiricWire

extension Oneiric_Registry_V1_AdapterEntry {
    /// The wire form of one catalog entry; field for field.
    init(_ entry: AdapterEntry) {
        self.init()
        adapterID = entry.adapterID
        project = entry.project
        domain = entry.domain
        category = entry.category
        provider = entry.provider
        capabilities = entry.capabilities
        factoryPath = entry.factoryPath
        healthCheckURL = entry.healthCheckURL
        metadata = entry.metadata
        registeredAt = entry.registeredAt
        lastHeartbeat = entry.lastHeartbeat
        healthStatus = entry.healthStatus
    }
}
