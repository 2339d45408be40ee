import ETL016Core
import Foundation
import Testing

@Suite("MigrationChecksum")
struct MigrationChecksumTests {
    @Test("matches known sha-256 vectors", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func matchesVector(input: String, expected: String) {
        #expect(MigrationChecksum.compute(Data(input.utf8)) == expected)
    }

    @Test("ignores line ends and byte order mark", arguments: [
        "SELECT 1;\r\nGO\r\nSELECT 2;\r\n",
        "SELECT 1;\rGO\rSELECT 2;\r",
        "\u{FEFF}SELECT 1;\nGO\nSELECT 2;\n",
        "\u{FEFF}SELECT 1;\r\nGO\rSELECT 2;\n",
    ])
    func ignoresLineEnds(variant: String) {
        let original = MigrationChecksum.compute(Data("SELECT 1;\nGO\nSELECT 2;\n".utf8))

        #expect(MigrationChecksum.compute(Data(variant.utf8)) == original)
    }

    @Test("changes for edited file", arguments: [
        "SELECT 1;\nGO\nSELECT 3;\n",
        "SELECT 1;\nGO\nSELECT 2; \n",
        "SELECT 1;\nGO\nSELECT 2;",
        "SELECT 1;\n\nGO\nSELECT 2;\n",
        "select 1;\nGO\nSELECT 2;\n",
    ])
    func changesForEdit(edited: String) {
        let original = MigrationChecksum.compute(Data("SELECT 1;\nGO\nSELECT 2;\n".utf8))

        #expect(MigrationChecksum.compute(Data(edited.utf8)) != original)
    }

    @Test("returns lowercase hex")
    func returnsLowercaseHex() {
        let checksum = MigrationChecksum.compute(Data("CREATE TABLE dbo.a (id int);".utf8))

        #expect(checksum.count == 64)
        #expect(checksum.allSatisfy { "0123456789abcdef".contains($0) })
    }

    @Test("normalizes bytes", arguments: [
        ([0xEF, 0xBB, 0xBF, 0x61], [0x61]),
        ([0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, 0x61], [0xEF, 0xBB, 0xBF, 0x61]),
        ([0x61, 0xEF, 0xBB, 0xBF], [0x61, 0xEF, 0xBB, 0xBF]),
        ([0x61, 0x0D, 0x0A, 0x62], [0x61, 0x0A, 0x62]),
        ([0x61, 0x0D, 0x62], [0x61, 0x0A, 0x62]),
        ([0x0D, 0x0D, 0x0A], [0x0A, 0x0A]),
        ([0x0A, 0x0D], [0x0A, 0x0A]),
        ([], []),
    ] as [([UInt8], [UInt8])])
    func normalizesBytes(input: [UInt8], expected: [UInt8]) {
        #expect(MigrationChecksum.normalize(Data(input)) == Data(expected))
    }
}
