extension Checker.Evaluation {
    /// GETs the URL, or the published port of each running container that matches (any
    /// host port the learner chose), and passes on the first good answer.
    func http(_ c: HTTPCheck) throws -> CheckFailure? {
        var urls: [String] = []
        switch c.target {
        case .url(let raw):
            urls = [try expand(raw)]
        case .published(let filter, let containerPort, let hostIP):
            let port = PortExpectation(container: containerPort, hostIP: hostIP)
            for candidate in try matching(filter) where candidate.status == .running {
                for b in try bindings(of: candidate, for: port) where !b.port.isEmpty {
                    let host = b.host.contains(":") ? "[\(b.host)]" : b.host
                    urls.append("http://\(host):\(b.port)\(c.path)")
                }
            }
            if urls.isEmpty { return .noPublishedPort(containerPort) }
        }
        let wantedBody = try c.bodyContains.map { try expand($0) }
        var last: CheckFailure?
        for url in urls {
            do {
                let response = try HTTPProbe.get(url, timeout: context.httpTimeout)
                if let status = c.status, response.status != status {
                    last = .httpStatus(url: url, actual: response.status, wanted: status)
                } else if let wantedBody, !response.body.contains(wantedBody) {
                    last = .httpBody(url: url, missing: wantedBody)
                } else {
                    return nil
                }
            } catch {
                last = .httpUnreachable(url: url, reason: error.reason)
            }
        }
        return last
    }
}
