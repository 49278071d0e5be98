// Where the parser collects the statements of the blocks it is inside (and the words of the
// command it is reading): a stack whose top run is moved out, at its exact size, when the block
// closes. Moving rather than copying keeps each statement's references from being retained for
// the copy and released from the stack, once per statement of a large script.

/// A stack of elements whose top run, from a mark, is moved out into an array of its own.
final class ScratchStack<Element> {
    private var storage: UnsafeMutablePointer<Element>
    private var capacity: Int
    /// How many elements the stack holds.
    private(set) var count = 0

    /// An empty stack with room for `capacity` elements before it grows.
    init(capacity: Int = 64) {
        self.capacity = max(1, capacity)
        storage = .allocate(capacity: self.capacity)
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }

    /// Pushes `element`.
    @inline(__always) func append(_ element: consuming Element) {
        if count == capacity { grow() }
        (storage + count).initialize(to: element)
        count += 1
    }

    /// Doubles the room.
    private func grow() {
        let larger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        larger.moveInitialize(from: storage, count: count)
        storage.deallocate()
        storage = larger
        capacity *= 2
    }

    /// The element at `index` (below `count`).
    subscript(index: Int) -> Element {
        precondition(index >= 0 && index < count)
        return storage[index]
    }

    /// The elements from `base` up, moved into an array with no spare room; the stack then holds `base`.
    func moveOut(from base: Int) -> [Element] {
        precondition(base >= 0 && base <= count)
        let moved = count - base
        guard moved > 0 else { return [] }
        let array = [Element](unsafeUninitializedCapacity: moved) { buffer, initialized in
            buffer.baseAddress!.moveInitialize(from: storage + base, count: moved)
            initialized = moved
        }
        count = base
        return array
    }

    /// Drops the elements from `base` up.
    func removeAll(from base: Int) {
        guard base < count else { return }
        (storage + base).deinitialize(count: count - base)
        count = base
    }
}
