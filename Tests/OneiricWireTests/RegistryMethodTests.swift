import OneiricWire
import Testing

/// Method paths follow the configured proto package.
@Suite struct RegistryMethodTests {
    @Test func pathsCarryThePackage() {
        #expect(RegistryMethod.listAdapters.descriptor(package: "acme.discovery.v2").fullyQualifiedMethod
                == "acme.discovery.v2.AdapterRegistry/ListAdapters")
        #expect(RegistryMethod.storeAdapter.descriptor(package: RegistryMethod.defaultPackage).fullyQualifiedMethod
                == "oneiric.registry.v1.AdapterRegistry/StoreAdapter")
    }

    @Test func packagesAreDottedProtoIdentifiers() {
        for valid in ["oneiric.registry.v1", "acme", "_x.y_2.Z"] { #expect(RegistryMethod.isValidPackage(valid), "\(valid)") }
        for invalid in ["", "1registry.v1", "oneiric..v1", "oneiric.registry.", "one-iric.v1", "oneiric/registry"] {
            #expect(!RegistryMethod.isValidPackage(invalid), "\(invalid)")
        }
    }
}
