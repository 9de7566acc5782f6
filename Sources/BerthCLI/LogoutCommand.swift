import ArgumentParser
import BerthCore
import BerthImages

/// `docker logout [SERVER]`: forgets the stored credentials.
struct LogoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logout", abstract: "Log out from a registry")

    @Argument(help: "SERVER") var server: String?

    func run() throws {
        let options = try PullOptions.fromEnvironment()
        let domain = LoginCommand.domain(server)
        let shown = AuthConfig.key(for: domain)
        if try options.auth.remove(domain) {
            Console.current.out("Removing login credentials for \(shown)")
        } else {
            Console.current.out("Not logged in to \(shown)")
        }
    }
}
