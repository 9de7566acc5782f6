import BerthTestSupport
import Foundation
import Testing

/// `-it` through a real pseudo-terminal: the shell's prompt, `exit`, and Ctrl-P Ctrl-Q.
@Suite(.tags(.root), .enabled(if: isRoot, "needs root: namespaces and overlay mounts"))
struct TerminalTests {
    @Test("run -it: type into the shell, detach with Ctrl-P Ctrl-Q, attach back, exit stops it")
    func detachAndAttach() throws {
        try withTemporaryStateRoot { berth in
            let term = try PseudoTerminal(berth, ["run", "-it", "--name", "tty", "busybox", "sh"])
            #expect(term.waitFor("/ # "))
            term.type("echo $((6*7))\r")
            #expect(term.waitFor("42"))
            term.type("tty\r")
            #expect(term.waitFor("/dev/pts/0"))
            term.type("\u{10}\u{11}")  // Ctrl-P Ctrl-Q
            #expect(term.waitForExit() == 0)
            #expect(try berth.run("inspect", "-f", "{{.State.Status}}", "tty").trimmed == "running")

            let back = try PseudoTerminal(berth, ["attach", "tty"])
            back.type("echo back-$((1+1))\r")
            #expect(back.waitFor("back-2"))
            back.type("exit 4\r")
            #expect(back.waitForExit() == 4)
            #expect(try berth.run("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "tty").trimmed == "exited 4")
        }
    }

    @Test("exec -it gives a shell in the running container")
    func execTTY() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("run", "-d", "--name", "x1", "busybox", "sleep", "60")
            let term = try PseudoTerminal(berth, ["exec", "-it", "x1", "sh"])
            #expect(term.waitFor("/ # "))
            term.type("echo in-$(hostname | wc -c)\r")
            #expect(term.waitFor("in-13"))
            term.type("exit\r")
            #expect(term.waitForExit() == 0)
        }
    }

    @Test("create -it, start -ai: Ctrl-D in the main shell stops the container")
    func startAttach() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("create", "-it", "--name", "s1", "busybox", "sh")
            let term = try PseudoTerminal(berth, ["start", "-ai", "s1"])
            // Type only once the shell prompts: before that the terminal is not raw yet, and
            // Ctrl-D would end berth's own stdin instead of reaching the container.
            #expect(term.waitFor("/ # "))
            term.type("echo st$((1+1))\r")
            #expect(term.waitFor("st2"))
            term.type("\u{04}")
            #expect(term.waitForExit() == 0)
            #expect(try berth.run("inspect", "-f", "{{.State.Status}}", "s1").trimmed == "exited")
        }
    }
}
