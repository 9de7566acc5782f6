/// distribution/reference's regular grammar, matched by hand (no backtracking needed):
///
///     reference      := name [ ":" tag ] [ "@" digest ]
///     name           := [domain "/"] path-component ["/" path-component]*
///     domain         := host [":" port]          host := domain-name | "[" ipv6 "]"
///     path-component := [a-z0-9]+ ( ( [._] | "__" | "-"+ ) [a-z0-9]+ )*
///     tag            := [\w][\w.-]{0,127}
///     digest         := [A-Za-z][A-Za-z0-9]* ( [-_+.] [A-Za-z][A-Za-z0-9]* )* ":" [0-9a-fA-F]{32,}
enum ReferenceGrammar {
    struct Parts: Equatable {
        var domain: String
        var path: String
        var tag: String?
        var digest: String?
    }

    static func match(_ s: String) -> Parts? {
        guard !s.isEmpty else { return nil }
        var left = Substring(s)
        var digest: String?
        if let at = s.firstIndex(of: "@") {
            let d = s[s.index(after: at)...]
            guard isDigest(d) else { return nil }
            digest = String(d)
            left = s[..<at]
        }
        var tag: String?
        if let colon = left.lastIndex(of: ":"), !left[colon...].contains("/") {
            let t = left[left.index(after: colon)...]
            guard isTag(t) else { return nil }
            tag = String(t)
            left = left[..<colon]
        }
        if let slash = left.firstIndex(of: "/"), isDomainAndPort(left[..<slash]),
            isRemoteName(left[left.index(after: slash)...])
        {
            return Parts(domain: String(left[..<slash]), path: String(left[left.index(after: slash)...]), tag: tag, digest: digest)
        }
        guard isRemoteName(left) else { return nil }
        return Parts(domain: "", path: String(left), tag: tag, digest: digest)
    }

    static func isRemoteName(_ s: Substring) -> Bool {
        !s.isEmpty && s.split(separator: "/", omittingEmptySubsequences: false).allSatisfy(isPathComponent)
    }

    static func isPathComponent(_ s: Substring) -> Bool {
        let b = Array(s.utf8)
        var i = 0
        func alnumRun() -> Bool {
            let start = i
            while i < b.count, isLowerAlnum(b[i]) { i += 1 }
            return i > start
        }
        guard alnumRun() else { return false }
        while i < b.count {
            switch b[i] {
            case UInt8(ascii: "."): i += 1
            case UInt8(ascii: "_"): i += (i + 1 < b.count && b[i + 1] == UInt8(ascii: "_")) ? 2 : 1
            case UInt8(ascii: "-"): while i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
            default: return false
            }
            guard alnumRun() else { return false }
        }
        return true
    }

    static func isDomainAndPort(_ s: Substring) -> Bool {
        var host = s
        var port: Substring?
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { return false }
            let inside = s[s.index(after: s.startIndex)..<close]
            guard !inside.isEmpty, inside.utf8.allSatisfy({ isHex($0) || $0 == UInt8(ascii: ":") }) else { return false }
            let after = s[s.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return false }
                port = after.dropFirst()
            }
            host = ""
        } else if let colon = s.firstIndex(of: ":") {
            host = s[..<colon]
            port = s[s.index(after: colon)...]
        }
        if let port, port.isEmpty || !port.utf8.allSatisfy(isDigit) { return false }
        if s.hasPrefix("[") { return true }
        return !host.isEmpty && host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy(isDomainComponent)
    }

    static func isDomainComponent(_ s: Substring) -> Bool {
        let b = Array(s.utf8)
        guard let first = b.first, let last = b.last, isAlnum(first), isAlnum(last) else { return false }
        return b.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") }
    }

    static func isTag(_ s: Substring) -> Bool {
        let b = Array(s.utf8)
        guard let first = b.first, b.count <= 128, isWord(first) else { return false }
        return b.allSatisfy { isWord($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    static func isDigest(_ s: Substring) -> Bool {
        guard let colon = s.firstIndex(of: ":") else { return false }
        let hex = s[s.index(after: colon)...]
        guard hex.utf8.count >= 32, hex.utf8.allSatisfy(isHex) else { return false }
        let components = s[..<colon].split(omittingEmptySubsequences: false) { "-_+.".contains($0) }
        return components.allSatisfy { c in
            guard let f = c.utf8.first, isLetter(f) else { return false }
            return c.utf8.allSatisfy { isLetter($0) || isDigit($0) }
        }
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
    static func isLetter(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
    }
    static func isAlnum(_ c: UInt8) -> Bool { isDigit(c) || isLetter(c) }
    static func isLowerAlnum(_ c: UInt8) -> Bool { isDigit(c) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) }
    static func isWord(_ c: UInt8) -> Bool { isAlnum(c) || c == UInt8(ascii: "_") }
    static func isHex(_ c: UInt8) -> Bool {
        isDigit(c) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "F"))
    }
}
