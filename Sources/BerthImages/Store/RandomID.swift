/// The random names of the overlay2 layout: 64-hex cache IDs and 26-character link names.
enum RandomID {
    /// `bytes` random bytes as lowercase hex (32 bytes: a cache ID, like Docker's).
    static func hex(_ bytes: Int = 32) -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in
            let b = UInt8.random(in: 0...255, using: &rng)
            return (b < 16 ? "0" : "") + String(b, radix: 16)
        }.joined()
    }

    /// Docker's overlay2 link name: 26 characters of base32 (`A-Z2-7`).
    static func link() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var rng = SystemRandomNumberGenerator()
        return String((0..<26).map { _ in alphabet[Int.random(in: 0..<32, using: &rng)] })
    }

    static func isLink(_ s: String) -> Bool {
        s.utf8.count == 26 && s.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 50 && $0 <= 55) }
    }
}
