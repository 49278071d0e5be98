// The interpreter's own bounds (nesting, recipe calls) multiply: 128 recipe calls, each
// inside a few nested blocks, need more stack than an ordinary 8 MB thread has in a debug
// build. Rather than rely on every host running evaluation on a huge stack, evaluation
// checks how much of the current thread's stack is left and stops with a diagnostic.
#if canImport(Glibc)
import Glibc

// glibc's pthread_getattr_np is hidden from the Glibc module (it needs _GNU_SOURCE). Its
// arguments are a thread handle and a pointer, which Swift passes exactly as C does.
@_silgen_name("pthread_getattr_np")
private func pthreadGetAttributes(_ thread: pthread_t, _ attributes: UnsafeMutablePointer<pthread_attr_t>) -> Int32
#elseif canImport(Darwin)
import Darwin
#endif

struct StackGuard {
    /// Evaluation stops when the stack pointer goes below this address (stacks grow down);
    /// 0 when the platform cannot tell.
    let limit: UInt

    static let unknown = StackGuard(limit: 0)

    /// The guard for the calling thread, keeping `reserve` bytes (at most a quarter of the
    /// stack) for what runs between two checks: a command handler, parsing an import.
    static func currentThread(reserve: Int = 1 << 20) -> StackGuard {
        #if canImport(Glibc)
        var attributes = pthread_attr_t()
        guard pthreadGetAttributes(pthread_self(), &attributes) == 0 else { return .unknown }
        defer { pthread_attr_destroy(&attributes) }
        var base: UnsafeMutableRawPointer?
        var size = 0
        guard pthread_attr_getstack(&attributes, &base, &size) == 0, let base, size > 0 else { return .unknown }
        return StackGuard(limit: UInt(bitPattern: base) + UInt(min(reserve, size / 4)))
        #elseif canImport(Darwin)
        let top = UInt(bitPattern: pthread_get_stackaddr_np(pthread_self()))
        let size = pthread_get_stacksize_np(pthread_self())
        guard top > UInt(size), size > 0 else { return .unknown }
        return StackGuard(limit: top - UInt(size) + UInt(min(reserve, size / 4)))
        #else
        return .unknown
        #endif
    }

    /// True when the caller's frame is below the limit.
    @inline(__always) var isExhausted: Bool {
        guard limit != 0 else { return false }
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) } < limit
    }
}
