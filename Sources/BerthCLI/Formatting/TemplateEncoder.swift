import BerthCore

/// Encodes Docker's Codable structs straight into a `TemplateValue`, as Go's template package sees the
/// typed struct: fields in declared order, and nil fields present (JSONEncoder drops them), printing as
/// the Go type they stand for: a nil slice `[]`, a nil map `map[]`, a nil pointer `<nil>`.
enum TemplateEncoder {
    static func encode<T: Encodable>(_ value: T) throws -> TemplateValue {
        let node = Node()
        try encode(value, into: node)
        return node.value
    }

    fileprivate static func encode<T: Encodable>(_ value: T, into node: Node) throws {
        if let optional = value as? any TemplateOptional, optional.isNil {
            node.content = .value(zero(of: type(of: optional).wrappedType))
            return
        }
        try value.encode(to: Encoder(node: node))
        if let map = value as? any TemplateMap { node.markMap(missing: type(of: map).missing) }
    }

    /// Go's zero value for the Swift type a nil stands in for.
    static func zero(of type: Any.Type) -> TemplateValue {
        if type == String.self { return .string("") }
        if type == Bool.self { return .bool(false) }
        if type is any BinaryInteger.Type || type is any BinaryFloatingPoint.Type { return .number(0) }
        if type is any TemplateSlice.Type { return .null(.slice) }
        if type is any TemplateMap.Type { return .null(.map) }
        return .null(.pointer)
    }

    fileprivate final class Node {
        enum Content {
            case value(TemplateValue)
            case object(keys: [String], children: [String: Node], omitted: Set<String>)
            case array([Node])
        }
        var content = Content.value(.null(.pointer))
        private var isMap = false
        private var missing: TemplateValue?

        var value: TemplateValue {
            switch content {
            case .value(let v): return v
            case .array(let nodes): return .array(nodes.map(\.value))
            case .object(let keys, let children, let omitted):
                return .object(TemplateObject(
                    keys: isMap ? keys.sorted() : keys, values: children.mapValues(\.value), omitted: omitted,
                    isMap: isMap, missing: missing))
            }
        }

        func markMap(missing: TemplateValue) {
            if case .value = content { content = .object(keys: [], children: [:], omitted: []) }
            isMap = true
            self.missing = missing
        }

        func child(_ key: String, omitted omit: Bool = false) -> Node {
            var (keys, children, omitted): ([String], [String: Node], Set<String>) = ([], [:], [])
            if case .object(let k, let c, let o) = content { (keys, children, omitted) = (k, c, o) }
            let node = Node()
            if children[key] == nil { keys.append(key) }
            children[key] = node
            if omit { omitted.insert(key) } else { omitted.remove(key) }
            content = .object(keys: keys, children: children, omitted: omitted)
            return node
        }

        func append() -> Node {
            var nodes: [Node] = []
            if case .array(let n) = content { nodes = n }
            let node = Node()
            content = .array(nodes + [node])
            return node
        }
    }

    private struct Encoder: Swift.Encoder {
        let node: Node
        var codingPath: [CodingKey] = []
        var userInfo: [CodingUserInfoKey: Any] = [:]

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            if case .value = node.content { node.content = .object(keys: [], children: [:], omitted: []) }
            return KeyedEncodingContainer(Keyed(node: node))
        }

        func unkeyedContainer() -> UnkeyedEncodingContainer {
            if case .value = node.content { node.content = .array([]) }
            return Unkeyed(node: node)
        }

        func singleValueContainer() -> SingleValueEncodingContainer { Single(node: node) }
    }

    private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: Node
        var codingPath: [CodingKey] = []

        mutating func encodeNil(forKey key: Key) throws { nilField(Never?.self, key) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try TemplateEncoder.encode(value, into: node.child(key.stringValue))
        }
        mutating func nestedContainer<N: CodingKey>(keyedBy: N.Type, forKey key: Key) -> KeyedEncodingContainer<N> {
            Encoder(node: node.child(key.stringValue)).container(keyedBy: N.self)
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
            Encoder(node: node.child(key.stringValue)).unkeyedContainer()
        }
        mutating func superEncoder() -> Swift.Encoder { Encoder(node: node.child("super")) }
        mutating func superEncoder(forKey key: Key) -> Swift.Encoder { Encoder(node: node.child(key.stringValue)) }

        // The synthesized encode(to:) skips nil optionals through these; Go keeps the field.
        mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
            guard let value else { return nilField(T.self, key) }
            try encode(value, forKey: key)
        }
        mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try present(value, key) }
        mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try present(value, key) }
        mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try present(value, key) }
        mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try present(value, key) }
        mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try present(value, key) }
        mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try present(value, key) }
        mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try present(value, key) }
        mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try present(value, key) }
        mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try present(value, key) }
        mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try present(value, key) }
        mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try present(value, key) }
        mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try present(value, key) }
        mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try present(value, key) }
        mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try present(value, key) }

        private mutating func present<T: Encodable>(_ value: T?, _ key: Key) throws {
            guard let value else { return nilField(T.self, key) }
            try encode(value, forKey: key)
        }

        /// A nil scalar is a Go `omitempty` zero (left out of JSON); a nil slice, map or pointer is
        /// `null` unless its key says `omitempty`.
        private func nilField(_ type: Any.Type, _ key: Key) {
            let zero = TemplateEncoder.zero(of: type)
            var omit = (key as? any OmitEmptyCodingKey)?.omitsEmpty ?? false
            if case .null = zero {} else { omit = true }
            node.child(key.stringValue, omitted: omit).content = .value(zero)
        }
    }

    private struct Unkeyed: UnkeyedEncodingContainer {
        let node: Node
        var codingPath: [CodingKey] = []
        var count: Int {
            if case .array(let n) = node.content { return n.count }
            return 0
        }

        mutating func encodeNil() throws { node.append().content = .value(.null(.pointer)) }
        mutating func encode<T: Encodable>(_ value: T) throws { try TemplateEncoder.encode(value, into: node.append()) }
        mutating func nestedContainer<N: CodingKey>(keyedBy: N.Type) -> KeyedEncodingContainer<N> {
            Encoder(node: node.append()).container(keyedBy: N.self)
        }
        mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer { Encoder(node: node.append()).unkeyedContainer() }
        mutating func superEncoder() -> Swift.Encoder { Encoder(node: node.append()) }
    }

    private struct Single: SingleValueEncodingContainer {
        let node: Node
        var codingPath: [CodingKey] = []

        mutating func encodeNil() throws { node.content = .value(.null(.pointer)) }
        mutating func encode(_ value: Bool) throws { node.content = .value(.bool(value)) }
        mutating func encode(_ value: String) throws { node.content = .value(.string(value)) }
        mutating func encode(_ value: Double) throws { node.content = .value(.number(value)) }
        mutating func encode(_ value: Float) throws { node.content = .value(.number(Double(value))) }
        mutating func encode(_ value: Int) throws { node.content = .value(.number(Double(value))) }
        mutating func encode(_ value: Int8) throws { node.content = .value(.number(Double(value))) }
        mutating func encode(_ value: Int16) throws { node.content = .value(.number(Double(value))) }
        mutating func encode(_ value: Int32) throws { node.content = .value(.number(Double(value))) }
        mutating func encode(_ value: Int64) throws { node.content = .value(.number(Double(value))) }
        mutating func encode(_ value: UInt) throws { node.content = .value(.number(Double(value))) }
        mutating func encode(_ value: UInt8) throws { node.content = .value(.number(Double(value))) }
        mutating func encode(_ value: UInt16) throws { node.content = .value(.number(Double(value))) }
        mutating func encode(_ value: UInt32) throws { node.content = .value(.number(Double(value))) }
        mutating func encode(_ value: UInt64) throws { node.content = .value(.number(Double(value))) }
        mutating func encode<T: Encodable>(_ value: T) throws { try TemplateEncoder.encode(value, into: node) }
    }
}

/// Marks Swift types that stand for Go slices and maps, so a nil one prints as Go prints it.
protocol TemplateSlice {}
extension Array: TemplateSlice {}

protocol TemplateMap {
    static var missing: TemplateValue { get }
}
extension Dictionary: TemplateMap {
    /// Go's index of a missing key gives the element type's zero value.
    static var missing: TemplateValue { TemplateEncoder.zero(of: Value.self) }
}

protocol TemplateOptional {
    var isNil: Bool { get }
    static var wrappedType: Any.Type { get }
}
extension Optional: TemplateOptional {
    var isNil: Bool {
        if case .none = self { return true }
        return false
    }
    static var wrappedType: Any.Type { Wrapped.self }
}
