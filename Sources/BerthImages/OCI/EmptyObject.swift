/// The `{}` that Docker writes as the value of `ExposedPorts` and `Volumes` entries.
package struct EmptyObject: Codable, Hashable, Sendable {
    package init() {}
    package init(from decoder: Decoder) throws { _ = try decoder.container(keyedBy: NoKeys.self) }
    package func encode(to encoder: Encoder) throws { _ = encoder.container(keyedBy: NoKeys.self) }
    private enum NoKeys: CodingKey {}
}
