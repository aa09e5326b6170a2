#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A failed system or library call: which call, and the errno it reported.
public struct SystemError: Error, Equatable, CustomStringConvertible, Sendable {
    public let operation: String
    public let code: Int32

    public init(_ operation: String, code: Int32) {
        self.operation = operation
        self.code = code
    }

    public var description: String {
        "\(operation) failed: \(reason) (errno \(code))"
    }

    /// strerror(3) of the code.
    public var reason: String { String(cString: strerror(code)) }
}

/// For pthread calls that only fail on programming errors (EINVAL, EDEADLK):
/// the return code is checked, as in swift-nio's locks, never ignored.
@inlinable
func checkPthread(_ rc: Int32, _ operation: StaticString) {
    precondition(rc == 0, "\(operation) failed with \(rc)")
}
