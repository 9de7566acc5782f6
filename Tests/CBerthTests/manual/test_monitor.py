"""Runs the manual checks of berth-monitor; see harness.py for how to build and run.

    python3 Tests/CBerthTests/manual/test_monitor.py /tmp/berth-monitor [name ...]
"""
import errno
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BASE, LOWER, STEP_EXEC, Container, exit_of, host_mounts, make_lower,  # noqa: E402
                     stderr_of, stdout_of)

MON = None
HOSTILE = BASE + "/hostile"


def run(argv, **kw):
    """Runs a container to the end with one client attached; returns (container, frames)."""
    stdin_data = kw.pop("stdin_data", None)
    c = Container(MON, argv, **kw)
    pid = c.spawn()
    assert isinstance(pid, int), pid
    cl = c.attach()
    err = c.release()
    if stdin_data is not None:
        cl.send(0, stdin_data)
        cl.send(4)
    frames = cl.frames()
    assert c.wait() == 0
    c.err = err
    return c, frames


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def t_echo():
    c, fr = run(["echo", "hi"])
    check(fr == [(1, b"hi\n"), (3, b"0")], fr)
    check(c.exit_file()[0] == 0, "exit 0")
    e = c.log_entries()
    check(len(e) == 1 and e[0]["log"] == "hi\n" and e[0]["stream"] == "stdout", e)
    check(len(e[0]["time"]) == 30 and e[0]["time"].endswith("Z"), e[0]["time"])


def t_exit3():
    c, fr = run(["sh", "-c", "exit 3"])
    check(c.exit_file()[0] == 3 and exit_of(fr) == 3, "exit 3")


def t_not_found():
    c, fr = run(["nosuchcmd"])
    check(c.err == (STEP_EXEC, errno.ENOENT), c.err)
    check(c.exit_file()[0] == 127 and exit_of(fr) == 127, "127")


def t_not_executable():
    c, fr = run(["noexec"], exec_paths=["/nope/noexec", "/etc/passwd", "/bin/missing"])
    check(c.err == (STEP_EXEC, errno.EACCES), c.err)


def t_stderr():
    c, fr = run(["sh", "-c", "echo out; echo err >&2"])
    check(stdout_of(fr) == b"out\n" and stderr_of(fr) == b"err\n", fr)
    streams = sorted((e["stream"], e["log"]) for e in c.log_entries())
    check(streams == [("stderr", "err\n"), ("stdout", "out\n")], streams)


def t_hostname():
    c, fr = run(["hostname"], hostname="berthy")
    check(stdout_of(fr) == b"berthy\n", fr)
    check(os.uname().nodename != "berthy", "host hostname untouched")


def t_ps():
    c, fr = run(["ps", "-o", "pid,args"])
    lines = stdout_of(fr).decode().splitlines()
    check(lines[1].split() == ["1", "ps", "-o", "pid,args"], lines)


def t_mounts():
    before = host_mounts()
    c = Container(MON, ["sh", "-c", "cat /proc/self/mountinfo; read x"], stdin=True)
    c.spawn()
    cl = c.attach()
    check(c.release() is None, "exec")
    inside = cl.read_until(b"/sys ").decode()
    during = host_mounts()
    cl.send(0, b"go\n")
    fr = cl.frames()
    check(c.wait() == 0, "monitor")
    root = [l for l in inside.splitlines() if l.split()[4] == "/"]
    check(len(root) == 1 and " - overlay " in root[0], root)
    targets = [l.split()[4] for l in inside.splitlines()]
    check(targets == ["/", "/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys"], targets)
    sysline = [l for l in inside.splitlines() if l.split()[4] == "/sys"][0]
    check(sysline.split()[5].startswith("ro,"), sysline)
    check(during == before and host_mounts() == before, "host mountinfo unchanged")
    check(exit_of(fr) == 0, fr)
    out = subprocess.run(["grep", "-c", c.dir, "/proc/self/mountinfo"], capture_output=True, text=True).stdout
    check(out.strip() == "0", "nothing left mounted")


def t_devices():
    c, fr = run(["sh", "-c", "ls -ln /dev | sed 1d; echo x > /dev/null; head -c 4 /dev/zero | wc -c; stat -c %a /dev/shm"])
    out = stdout_of(fr).decode()
    lines = {l.split()[-1] if "->" not in l else l.split()[-3]: l for l in out.splitlines() if l.startswith(("c", "l", "d"))}
    for name, (major, minor) in {"null": (1, 3), "zero": (1, 5), "full": (1, 7), "random": (1, 8),
                                 "urandom": (1, 9), "tty": (5, 0)}.items():
        l = lines[name].split()
        check(l[0] == "crw-rw-rw-" and l[4] == f"{major}," and l[5] == str(minor), lines[name])
    for name, target in {"ptmx": "pts/ptmx", "fd": "/proc/self/fd", "stdin": "/proc/self/fd/0",
                         "stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2", "core": "/proc/kcore"}.items():
        check(lines[name].endswith(f"{name} -> {target}"), lines[name])
    check(out.splitlines()[-2:] == ["4", "1777"], out)


def t_stdin():
    c, fr = run(["cat"], stdin=True, stdin_data=b"abc\n" * 3)
    check(stdout_of(fr) == b"abc\n" * 3 and exit_of(fr) == 0, fr)


def t_stdin_closed_without_flag():
    c, fr = run(["cat"])
    check(stdout_of(fr) == b"" and exit_of(fr) == 0, fr)


def t_tty():
    c = Container(MON, ["sh"], tty=True, stdin=True, winsize=(24, 80))
    c.spawn()
    cl = c.attach()
    check(c.release() is None, "exec")
    cl.send(0, b"tty; stty size\n")
    out = cl.read_until(b"24 80")
    check(b"/dev/pts/0" in out and b"24 80" in out, out)
    cl.send(5, b"40 100")
    cl.send(0, b"stty size; echo $((6*7))\n")
    out = cl.read_until(b"42")
    check(b"40 100" in out, out)
    cl.send(0, b"exit 7\n")
    fr = cl.frames()
    check(exit_of(fr) == 7 and all(t in (1, 3) for t, _ in fr), fr)
    check(c.wait() == 0 and c.exit_file()[0] == 7, "exit 7")
    check(any("stty size" in e["log"] for e in c.log_entries()), "tty output logged")


def t_binds():
    hosts = c_dir = BASE + "/bindsrc"
    os.makedirs(c_dir + "/data", exist_ok=True)
    with open(c_dir + "/hosts", "w") as f:
        f.write("127.0.0.1 bound\n")
    c, fr = run(["sh", "-c", "cat /etc/hosts; ls /data; touch /data/x 2>&1; echo rw > /rw/y; grep -E ' /(data|rw|etc/hosts) ' /proc/self/mountinfo | cut -d' ' -f5,6"],
                binds=[(c_dir + "/hosts", "/etc/hosts", False, True), (c_dir + "/data", "/data", True, False),
                       (c_dir + "/data", "/rw", False, False)])
    out = stdout_of(fr).decode()
    check(out.startswith("127.0.0.1 bound\n"), out)
    check("Read-only file system" in out, out)
    check("/data ro," in out and "/rw rw," in out and "/etc/hosts rw," in out, out)
    check(os.path.exists(c_dir + "/data/y"), "rw bind wrote through")
    shutil.rmtree(c_dir)


def make_hostile():
    """An image whose symlinks point out of the rootfs."""
    if os.path.exists(HOSTILE):
        return
    make_lower(HOSTILE)
    os.symlink("/tmp/evil", HOSTILE + "/proc")                       # dangling, absolute
    os.symlink("../../../../../../tmp/evil-sys", HOSTILE + "/sys")   # dangling, relative, climbing
    os.symlink("/../../../tmp/evil-hosts", HOSTILE + "/etc/hosts")  # a file bind target
    os.symlink("/etc", HOSTILE + "/etcdir")


def t_hostile():
    make_hostile()
    for p in ("/tmp/evil", "/tmp/evil-sys", "/tmp/evil-hosts"):
        check(not os.path.lexists(p), p + " exists before the test")
    src = BASE + "/hosts-src"
    with open(src, "w") as f:
        f.write("10.0.0.1 hostile\n")
    before = host_mounts()
    c, fr = run(["sh", "-c", "cat /tmp/evil/self/comm; cat /etc/hosts; ls /tmp/evil-sys | head -1"],
                lower=HOSTILE, binds=[(src, "/etc/hosts", False, True)])
    out = stdout_of(fr).decode()
    check(c.err is None, c.err)
    check(out.startswith("cat\n10.0.0.1 hostile\n"), out)
    for p in ("/tmp/evil", "/tmp/evil-sys", "/tmp/evil-hosts"):
        check(not os.path.lexists(p), p + " created on the host")
    check(host_mounts() == before, "host mounts")
    os.unlink(src)
    # everything landed in the container's upper dir
    check(os.path.isdir(c.dir + "/upper/tmp/evil") and os.path.isfile(c.dir + "/upper/tmp/evil-hosts"), "upper")


def t_hostile_magic_link():
    """A link through /proc/self/root would leave the root: openat2 refuses magic links."""
    lower = BASE + "/hostile-magic"
    make_lower(lower)
    os.symlink("/proc/self/root/tmp/evil-dev", lower + "/dev")
    before = host_mounts()
    c, fr = run(["true"], lower=lower)
    check(c.err == (9, errno.ELOOP), c.err)  # BERTH_STEP_MOUNT_TARGET
    check(not os.path.lexists("/tmp/evil-dev") and host_mounts() == before, "nothing on the host")
    check(exit_of(fr) == 127, fr)


def t_user():
    c, fr = run(["sh", "-c", "id; tty 2>&1; stat -c '%A %u %g' /dev/pts/0"], user=("65534", "65534", "5"),
                tty=True, stdin=False)
    out = stdout_of(fr).decode()
    check("uid=65534(nobody) gid=65534(nogroup) groups=5(tty)" in out, out)
    check("crw--w---- 65534 5" in out, out)


def t_cwd():
    c, fr = run(["pwd"], cwd="/work/deep/dir")
    check(stdout_of(fr) == b"/work/deep/dir\n", fr)


def t_abort():
    c = Container(MON, ["echo", "never"])
    c.spawn()
    c.abort()  # the CLI gives up before the sync byte
    check(c.wait() == 0, "monitor")
    check(c.exit_file()[0] == 127, "aborted child exits 127")


def t_bad_plan():
    c = Container(MON, ["echo"])
    with open(c.plan, "ab") as f:
        f.write(b"bogus\0x\0")
    st = c.spawn()
    check(st == 'error unknown plan key "bogus"', st)
    check(c.wait() == 1, "exit 1")


def t_slow_client():
    """A client that never reads must not stall the container or the log."""
    c = Container(MON, ["sh", "-c", "head -c 8000000 /dev/zero | tr '\\0' a | fold -w 999; echo done"])
    c.spawn()
    stuck = c.attach()
    stuck.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    good = c.attach()
    check(c.release() is None, "exec")
    t = time.time()
    fr = good.frames(timeout=30)
    check(exit_of(fr) == 0, "exit frame to the reading client")
    check(c.wait() == 0, "monitor")
    total = sum(len(e["log"]) for e in c.log_entries())
    check(total == 8000000 + 8000000 // 999 + 5, total)
    check(time.time() - t < 20, "took too long")
    got = stuck.frames(timeout=2)  # what it did get must still be well-formed frames
    check(all(t_ in (1, 3) for t_, _ in got), "stuck client's stream is whole")


def t_two_clients():
    c = Container(MON, ["sh", "-c", "read x; echo $x"], stdin=True)
    c.spawn()
    a, b = c.attach(), c.attach()
    check(c.release() is None, "exec")
    a.send(0, b"both\n")
    fa, fb = a.frames(), b.frames()
    check(fa == fb == [(1, b"both\n"), (3, b"0")], (fa, fb))
    c.wait()


def t_detach_reattach():
    c = Container(MON, ["sh", "-c", "read x; echo got $x"], stdin=True)
    c.spawn()
    a = c.attach()
    check(c.release() is None, "exec")
    a.s.close()  # detach
    time.sleep(0.1)
    b = c.attach()
    b.send(0, b"later\n")
    fr = b.frames()
    check(fr == [(1, b"got later\n"), (3, b"0")], fr)
    c.wait()


def t_log_escape():
    c, fr = run(["printf", 'q"b\\\\t\\tc\\001\\033[0m \\303\\251 \\342\\202\\254 \\377 \\300\\200 end'])
    e = c.log_entries()
    check(len(e) == 1, e)
    check(e[0]["log"] == 'q"b\\t\tc\x01\x1b[0m é € \ufffd \ufffd\ufffd end', repr(e[0]["log"]))
    raw = open(c.log).read()
    check("\\u0001" in raw and "\\u001b" in raw, raw)


def t_log_split_utf8():
    c, fr = run(["sh", "-c", "printf 'a\\342\\202'; sleep 0.3; printf '\\254b\\n'; printf '\\342' >&2"])
    logs = [(e["stream"], e["log"]) for e in c.log_entries()]
    check(logs == [("stdout", "a"), ("stdout", "\u20acb\n"), ("stderr", "\ufffd")], logs)


def t_stdin_flow_control():
    """4 MiB through a container that reads slowly: nothing lost, nothing blocks."""
    data = bytes(range(256)) * (4 * 4096)
    c = Container(MON, ["sh", "-c", "sleep 0.5; md5sum"], stdin=True)
    c.spawn()
    cl = c.attach()
    check(c.release() is None, "exec")
    for i in range(0, len(data), 100000):
        cl.send(0, data[i:i + 100000])
    cl.send(5, b"10 10")  # frames after the data still parse
    cl.send(4)
    fr = cl.frames(timeout=30)
    import hashlib
    check(stdout_of(fr).decode().split()[0] == hashlib.md5(data).hexdigest(), fr)
    c.wait()


def t_signal_exit():
    c = Container(MON, ["sleep", "60"])
    c.spawn()
    c.attach()
    check(c.release() is None, "exec")
    os.kill(c.pid, signal.SIGKILL)
    check(c.wait() == 0 and c.exit_file()[0] == 137, "137")


def t_no_fd_leak():
    c, fr = run(["true"])
    text = open(c.cleanup_marker).read()
    fds = [l.split()[-3] for l in text.splitlines() if " -> " in l]
    check(fds == ["0", "1", "2", "3"], text)  # 3 is ls's own directory fd
    check("SigBlk:\t0000000000000000" in text and "SigIgn:\t0000000000000000" in text, text)


def t_idle_rss_and_timing():
    c = Container(MON, ["sleep", "60"])
    c.spawn()
    cl = c.attach()
    check(c.release() is None, "exec")
    time.sleep(0.3)
    with open(f"/proc/{c.mpid}/status") as f:
        rss = [l.split()[1] for l in f if l.startswith("VmRSS")][0]
    fds = os.listdir(f"/proc/{c.mpid}/fd")
    child_fds = sorted(os.listdir(f"/proc/{c.pid}/fd"))
    print(f"    monitor VmRSS {rss} kB, fds {len(fds)}, init fds {child_fds}; "
          f"spawn->pid {1000 * (c.t_status - c.t0):.1f} ms, spawn->execve {1000 * (c.t_exec - c.t0):.1f} ms")
    check(child_fds == ["0", "1", "2"], child_fds)
    os.kill(c.pid, signal.SIGKILL)
    cl.frames()
    c.wait()


def build_exec_test():
    repo = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../.."))
    out = BASE + "/exec_test"
    srcs = [f"{repo}/Sources/CBerth/{f}" for f in sorted(os.listdir(repo + "/Sources/CBerth")) if f.endswith(".c")]
    subprocess.run(["cc", "-O2", "-Wall", "-Wextra", "-Werror", "-o", out,
                    repo + "/Tests/CBerthTests/manual/exec_test.c", *srcs, "-I" + repo + "/Sources/CBerth/include",
                    "-lseccomp", "-lpthread"], check=True)
    return out


def t_exec():
    tool = build_exec_test()
    c = Container(MON, ["sleep", "60"], hostname="exechost")
    c.spawn()
    cl = c.attach()
    check(c.release() is None, "exec")

    def ex(*args):
        return subprocess.run([tool, str(c.pid), *args], capture_output=True, text=True, timeout=10).stdout

    out = ex("ps", "-o", "pid,args")
    check(out.splitlines()[1].split() == ["1", "sleep", "60"], out)
    check(out.splitlines()[2].split()[1:] == ["ps", "-o", "pid,args"], out)
    check(out.endswith("exit 0\n"), out)
    check(ex("hostname") == "exechost\nexit 0\n", "hostname")
    out = ex("sh", "-c", "grep ' / ' /proc/self/mountinfo; ls /dev/null; exit 5")
    check(" - overlay " in out and "/dev/null" in out and out.endswith("exit 5\n"), out)
    check(ex("nosuch") == "error exec No such file or directory\nexit 127\n", ex("nosuch"))
    check(ex("-w", "/nonexistent", "true").startswith("error chdir to cwd No such file"), "cwd")
    check(ex("-w", "/etc", "pwd") == "/etc\nexit 0\n", "cwd /etc")
    check(ex("-u", "65534", "id", "-u") == "65534\nexit 0\n", "user")
    out = ex("-t", "sh", "-c", "tty; stty size")
    check(out.replace("\r", "") == "/dev/pts/0\n30 90\nexit 0\n", repr(out))
    t = time.time()
    check(ex("-d", "sleep", "2") == "exit 0\n" and time.time() - t < 1.5, "detach")
    out = ex("ps", "-o", "pid,ppid,args")
    # still running; its parent is outside the PID namespace, so ps shows PPID 0 (as with runc)
    check(any(l.split()[1:] == ["0", "sleep", "2"] for l in out.splitlines()), out)
    check(ex("sh", "-c", "kill -9 $$") == "exit 137\n", "signal status")
    cg = "/sys/fs/cgroup/pids/berth-manual-exec"
    if os.path.isdir("/sys/fs/cgroup/pids"):
        os.makedirs(cg, exist_ok=True)
        try:
            out = ex("-c", cg + "/cgroup.procs", "sh", "-c", "grep pids /proc/self/cgroup; sleep 0.2")
            check("berth-manual-exec" in out and out.endswith("exit 0\n"), out)
        finally:
            time.sleep(0.1)
            os.rmdir(cg)
    os.kill(c.pid, signal.SIGKILL)
    cl.frames()
    c.wait()


TESTS = [(n[2:], f) for n, f in list(globals().items()) if n.startswith("t_")]


def main():
    global MON
    MON = os.path.abspath(sys.argv[1])
    only = sys.argv[2:]
    make_lower()
    before = host_mounts()
    failed = 0
    try:
        for name, fn in TESTS:
            if only and name not in only:
                continue
            try:
                fn()
                print("ok  ", name)
            except Exception as e:  # report and go on
                failed += 1
                print("FAIL", name, repr(e)[:2000])
    finally:
        check(host_mounts() == before, "host mounts changed")
        shutil.rmtree(BASE, ignore_errors=True)
    print("failed:", failed)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
