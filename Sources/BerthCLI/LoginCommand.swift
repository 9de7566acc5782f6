import ArgumentParser
import BerthCore
import BerthImages
import Foundation

/// `docker login [-u USER] [-p PASS | --password-stdin] [SERVER]`: checks the credentials
/// against the registry's `/v2/` and stores them 0600 in `~/.config/berth/auth.json`.
struct LoginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "login", abstract: "Log in to a registry")

    @Option(name: .shortAndLong, help: "Username") var username: String?
    @Option(name: .shortAndLong, help: "Password") var password: String?
    @Flag(name: .customLong("password-stdin"), help: "Take the password from stdin") var passwordStdin = false
    @Argument(help: "SERVER") var server: String?

    func validate() throws {
        if passwordStdin && password != nil {
            throw ValidationError("--password and --password-stdin are mutually exclusive")
        }
        if passwordStdin && username == nil {
            throw ValidationError("Must provide --username with --password-stdin")
        }
    }

    func run() throws {
        let console = Console.current
        var secret = password
        if passwordStdin {
            secret = readAll(console.inFD).trimmingCharacters(in: .newlines)
        } else if password != nil {
            console.err("WARNING! Using --password via the CLI is insecure. Use --password-stdin.")
        }
        guard let username, !username.isEmpty, let secret, !secret.isEmpty else {
            throw BerthError(message: "Error: Cannot perform an interactive login from a non TTY device", exitCode: 1)
        }
        let options = try PullOptions.fromEnvironment()
        let domain = LoginCommand.domain(server)
        do {
            try RegistryLogin.login(domain: domain, credentials: Credentials(username: username, password: secret), options: options)
        } catch {
            throw BerthError(message: error.message, exitCode: 1, detail: error.detail)
        }
        console.out("Login Succeeded")
    }

    /// `http://127.0.0.1:5000/` → `127.0.0.1:5000`; nothing → Docker Hub.
    static func domain(_ server: String?) -> String {
        guard var s = server, !s.isEmpty else { return ImageReference.defaultDomain }
        for prefix in ["http://", "https://"] where s.hasPrefix(prefix) { s.removeFirst(prefix.count) }
        if let slash = s.firstIndex(of: "/") { s = String(s[..<slash]) }
        return ["index.docker.io", RegistryConfig.hubHost].contains(s) ? ImageReference.defaultDomain : s
    }

    private func readAll(_ fd: Int32) -> String {
        var data = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buf, buf.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            data += buf[0..<n]
        }
        return String(decoding: data, as: UTF8.self)
    }
}
