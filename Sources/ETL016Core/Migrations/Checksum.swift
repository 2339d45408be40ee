import CLibCrypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Checksums of migration files, stored in `schema_version` to detect a file edited after it
/// ran.
///
/// The checksum is the SHA-256 of the file after normalization, so a file that only gained or
/// lost a byte order mark, or whose line ends changed between LF and CRLF on checkout, keeps its
/// checksum. Any other change, whitespace inside a line included, changes it.
///
///     MigrationChecksum.compute(Data("SELECT 1;\r\n".utf8))
///         == MigrationChecksum.compute(Data("SELECT 1;\n".utf8))   // true
public enum MigrationChecksum {
    /// Removes one leading UTF-8 byte order mark and turns CRLF and lone CR into LF.
    public static func normalize(_ data: Data) -> Data {
        Data(ScriptBytes.normalizedBytes(data))
    }

    /// Returns the lowercase hexadecimal SHA-256 of the normalized `data`, 64 characters long.
    public static func compute(_ data: Data) -> String {
        let normalized = ScriptBytes.normalizedBytes(data)
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var digestLength: UInt32 = 0

        let status = normalized.withUnsafeBytes { buffer in
            EVP_Digest(buffer.baseAddress, buffer.count, &digest, &digestLength, EVP_sha256(), nil)
        }
        // EVP_Digest returns 0 on an internal OpenSSL failure, such as a failed allocation.
        // This function has no error to return, so such a failure stops the program.
        precondition(status == 1, "OpenSSL EVP_Digest with SHA-256 failed")

        return digest.prefix(Int(digestLength)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 0x10 ? "0" + hex : hex
        }.joined()
    }
}
