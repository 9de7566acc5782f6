import Foundation

extension BerthError {
    /// `Error: what: no such file or directory`: Go's wording of the errno under a Foundation file
    /// error, as Docker prints it, instead of `NSCocoaErrorDomain Code=260`.
    public static func file(_ what: String, _ error: any Error, exitCode: Int32 = 1) -> BerthError {
        if let e = error as? BerthError { return e }
        return BerthError(message: "Error: \(what): \(reason(error))", exitCode: exitCode, detail: "\(error)")
    }

    /// The errno's text in lower case (`permission denied`), or Foundation's own words.
    public static func reason(_ error: any Error) -> String {
        var e = error as NSError
        if e.domain != NSPOSIXErrorDomain, let u = e.userInfo[NSUnderlyingErrorKey] as? any Error { e = u as NSError }
        guard e.domain == NSPOSIXErrorDomain else { return e.localizedDescription }
        return String(cString: strerror(Int32(e.code))).lowercased()
    }
}
