/// A problem with the command line, the configuration or the input files, found before
/// anything changed. The CLI exits 2 for it.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// A failure of the work itself after the input was accepted, such as a migration that
/// failed on the server. The CLI exits 1 for it.
public struct OperationError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
