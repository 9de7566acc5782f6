import BerthTestSupport
import Foundation
import Testing

/// Docker's sig-proxy: an attached CLI passes the signals it gets on to the container's init.
extension LifecycleTests {
    static let trapping = "trap 'exit 2' INT; trap 'exit 3' TERM; trap 'exit 4' HUP; trap 'exit 5' USR1; echo ready; while :; do sleep .1; done"

    @Test("run (attached, no TTY) forwards the signals it receives; the container's code is run's",
          arguments: [(SIGINT, 2), (SIGTERM, 3), (SIGHUP, 4), (SIGUSR1, 5)] as [(Int32, Int32)])
    func runForwardsSignals(signal: Int32, code: Int32) throws {
        try withTemporaryStateRoot { berth in
            let cli = try berth.spawn("run", "--name", "sp", "busybox", "sh", "-c", Self.trapping)
            #expect(cli.waitForOutput("ready"))
            kill(cli.pid, signal)
            #expect(cli.wait() == code)
            #expect(try berth.run("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "sp").trimmed == "exited \(code)")
        }
    }

    @Test("--sig-proxy=false: the container does not get the CLI's signals")
    func sigProxyOff() throws {
        try withTemporaryStateRoot { berth in
            let cli = try berth.spawn("run", "--sig-proxy=false", "--name", "sp", "busybox", "sh", "-c", Self.trapping)
            #expect(cli.waitForOutput("ready"))
            kill(cli.pid, SIGUSR1)  // the test runner blocks it, so the CLI lives on too
            usleep(1_500_000)
            #expect(try berth.run("inspect", "-f", "{{.State.Status}}", "sp").trimmed == "running")
            kill(cli.pid, SIGKILL)
            cli.wait()
        }
    }

    @Test("attach and start -a forward signals too")
    func attachAndStartForward() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("run", "-d", "--name", "at", "busybox", "sh", "-c", "sleep 2; " + Self.trapping)
            let attached = try berth.spawn("attach", "at")
            #expect(attached.waitForOutput("ready"))
            kill(attached.pid, SIGUSR1)
            #expect(attached.wait() == 5)
            #expect(try berth.run("inspect", "-f", "{{.State.ExitCode}}", "at").trimmed == "5")

            try berth.run("create", "--name", "sa", "busybox", "sh", "-c", Self.trapping)
            let started = try berth.spawn("start", "-a", "sa")
            #expect(started.waitForOutput("ready"))
            kill(started.pid, SIGHUP)
            #expect(started.wait() == 4)
            #expect(try berth.run("inspect", "-f", "{{.State.ExitCode}}", "sa").trimmed == "4")
        }
    }
}
