/// 64 hex characters, the shape of a container ID (the layer code checks it).
enum RandomBuildID {
    static func hex() -> String {
        (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }
}
