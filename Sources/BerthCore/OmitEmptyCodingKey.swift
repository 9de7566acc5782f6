/// A key whose Go field is tagged `omitempty`: when the value is nil, Docker's JSON leaves the key out
/// rather than writing `null` (templates still see the field). Keys that don't conform print `null`.
package protocol OmitEmptyCodingKey: CodingKey {
    var omitsEmpty: Bool { get }
}
