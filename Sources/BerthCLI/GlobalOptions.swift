import ArgumentParser
import BerthCore
import BerthRuntime
import Foundation

/// Options every command takes; the state root is read here, once.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("root"), help: ArgumentHelp("State root (default /var/lib/berth, or $BERTH_ROOT)", visibility: .hidden))
    var root: String?

    @Option(name: .customLong("run-dir"), help: ArgumentHelp("Runtime dir (default /run/berth, or $BERTH_RUN)", visibility: .hidden))
    var runDir: String?

    var paths: StatePaths {
        let p = StatePaths.fromEnvironment(root: root)
        return runDir.map { StatePaths(root: p.root, run: $0) } ?? p
    }

    func runtime() -> Runtime { Runtime(paths: paths) }
}
