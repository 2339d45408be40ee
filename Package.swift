// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "etl016-db",
    products: [
        .executable(name: "etl016-db", targets: ["etl016-db"]),
        .library(name: "ETL016Core", targets: ["ETL016Core"]),
    ],
    targets: [
        // unixODBC from Debian's unixodbc-dev.
        .systemLibrary(
            name: "CUnixODBC",
            pkgConfig: "odbc",
            providers: [.apt(["unixodbc-dev"])]
        ),
        // SHA-256 for migration checksums, from OpenSSL's libcrypto (Debian's libssl-dev).
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(
            name: "ETL016Core",
            dependencies: ["CUnixODBC", "CLibCrypto"]
        ),
        .executableTarget(
            name: "etl016-db",
            dependencies: ["ETL016Core"]
        ),
        .testTarget(
            name: "ETL016CoreTests",
            dependencies: ["ETL016Core"]
        ),
        .testTarget(
            name: "CommandLineTests",
            dependencies: ["etl016-db"]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["ETL016Core"]
        ),
    ]
)
