"""Manual test harness for berth-monitor (no Swift needed). Run as root:

    cc -O2 -Wall -Wextra -o /tmp/berth-monitor Sources/berth-monitor/*.c Sources/CBerth/*.c \
        -ISources/CBerth/include -lseccomp
    python3 Tests/CBerthTests/manual/harness.py /tmp/berth-monitor [TEST...]

It builds a busybox rootfs under /tmp/berth-manual (busybox-static from the host), plays the
CLI's part of Documentation/Monitor.md (plan file, fds 3/4/5, sync byte, attach frames) and
checks what the brief asks for. Everything it mounts or creates is removed at the end.
"""
import errno
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import time

BASE = "/tmp/berth-manual"
LOWER = BASE + "/lower"
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC = 1, 2, 4, 8, 4096, 16384
MS_STRICTATIME = 1 << 24
STEP_EXEC = 24

DEFAULT_MOUNTS = [
    ("proc", "proc", "/proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, ""),
    ("tmpfs", "tmpfs", "/dev", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k"),
    ("devpts", "devpts", "/dev/pts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5"),
    ("tmpfs", "shm", "/dev/shm", MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=1777,size=65536k"),
    ("mqueue", "mqueue", "/dev/mqueue", MS_NOSUID | MS_NOEXEC | MS_NODEV, ""),
    ("sysfs", "sysfs", "/sys", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, ""),
]


def make_lower(path=LOWER):
    if os.path.exists(path + "/bin/busybox"):
        return
    for d in ("bin", "etc", "root", "tmp"):
        os.makedirs(f"{path}/{d}", exist_ok=True)
    shutil.copy("/bin/busybox", path + "/bin/busybox")
    for name in subprocess.run(["/bin/busybox", "--list"], capture_output=True, text=True).stdout.split():
        if name != "busybox":
            os.symlink("busybox", f"{path}/bin/{name}")
    with open(path + "/etc/passwd", "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n")
    with open(path + "/etc/group", "w") as f:
        f.write("root:x:0:\ntty:x:5:\nnogroup:x:65534:\n")
    os.chmod(path + "/tmp", 0o1777)


def plan_bytes(records):
    out = bytearray()
    for rec in records:
        for s in rec:
            s = s.encode() if isinstance(s, str) else s
            assert b"\0" not in s
            out += s + b"\0"
    return bytes(out)


def frame(kind, payload=b""):
    return struct.pack(">BxxxI", kind, len(payload)) + payload


class Container:
    counter = 0

    def __init__(self, monitor, argv, *, lower=LOWER, tty=False, stdin=False, hostname="ct",
                 winsize=None, binds=(), extra=(), cwd="/", user=("0", "0", ""), cleanup=None,
                 namespaces="mnt,pid,uts,ipc,net,cgroup", exec_paths=None, env=None):
        Container.counter += 1
        self.dir = f"{BASE}/runs/c{Container.counter}"
        shutil.rmtree(self.dir, ignore_errors=True)
        for d in ("upper", "work", "merged", "run"):
            os.makedirs(f"{self.dir}/{d}")
        self.log = self.dir + "/ct-json.log"
        self.sock = self.dir + "/run/attach.sock"
        self.exitfile = self.dir + "/run/exit"
        self.cleanup_marker = self.dir + "/cleanup.txt"
        recs = [("rootfs", self.dir + "/merged"),
                ("overlay", self.dir, f"lowerdir={lower},upperdir=upper,workdir=work"),
                ("namespaces", namespaces)]
        for m in DEFAULT_MOUNTS:
            recs.append(("mount",) + m[:3] + (str(m[3]), m[4]))
        for src, dst, ro, is_file in binds:
            if is_file:
                recs.append(("mkfile", dst, "644"))
            recs.append(("mount", "bind", src, dst, str(MS_BIND | MS_REC | (MS_RDONLY if ro else 0)), ""))
        recs += list(extra)
        recs += [("hostname", hostname), ("cwd", cwd), ("user",) + tuple(user)]
        recs += [("arg", a) for a in argv]
        for e in env or ["PATH=/bin", "HOME=/root", "HOSTNAME=" + hostname]:
            recs.append(("env", e))
        if exec_paths is None:
            exec_paths = [argv[0]] if "/" in argv[0] else ["/usr/bin/" + argv[0], "/bin/" + argv[0]]
        recs += [("exec", p) for p in exec_paths]
        recs += [("tty", "1" if tty else "0"), ("stdin", "1" if stdin else "0")]
        if winsize:
            recs.append(("winsize", str(winsize[0]), str(winsize[1])))
        recs += [("log", self.log), ("attach", self.sock), ("exitfile", self.exitfile)]
        cleanup = cleanup or ["/bin/sh", "-c", 'ls -l /proc/self/fd > "$0"; grep -E "SigBlk|SigIgn" /proc/self/status >> "$0"',
                              self.cleanup_marker]
        recs += [("cleanup", a) for a in cleanup]
        self.plan = self.dir + "/run/plan"
        with open(self.plan, "wb") as f:
            f.write(plan_bytes(recs))
        self.monitor = monitor
        self.tty = tty

    def spawn(self):
        sync_r, self.sync_w = os.pipe()
        self.err_r, err_w = os.pipe()
        status_r, status_w = os.pipe()
        self.t0 = time.monotonic()
        self.mpid = os.posix_spawn(self.monitor, [self.monitor, self.plan], {"PATH": "/usr/bin:/bin"},
                                   file_actions=[(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDWR, 0),
                                                 (os.POSIX_SPAWN_DUP2, 0, 1), (os.POSIX_SPAWN_DUP2, 0, 2),
                                                 (os.POSIX_SPAWN_DUP2, sync_r, 3),
                                                 (os.POSIX_SPAWN_DUP2, err_w, 4),
                                                 (os.POSIX_SPAWN_DUP2, status_w, 5)],
                                   setsid=True)
        for fd in (sync_r, err_w, status_w):
            os.close(fd)
        status = b""
        while True:
            b = os.read(status_r, 4096)
            if not b:
                break
            status += b
        os.close(status_r)
        self.t_status = time.monotonic()
        self.status = status.decode().strip()
        if self.status.startswith("error"):
            self.pid = None
            return self.status
        self.pid = int(self.status)
        return self.pid

    def attach(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(self.sock)
        return Client(s)

    def release(self):
        """Writes the sync byte; returns None when execve worked, else (step, errno)."""
        os.write(self.sync_w, b"x")
        os.close(self.sync_w)
        data = b""
        while len(data) < 8:
            b = os.read(self.err_r, 8 - len(data))
            if not b:
                break
            data += b
        self.t_exec = time.monotonic()
        os.close(self.err_r)
        return struct.unpack("<ii", data) if len(data) == 8 else None

    def abort(self):
        os.close(self.sync_w)
        os.close(self.err_r)

    def wait(self, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            pid, st = os.waitpid(self.mpid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(st)
            time.sleep(0.01)
        raise TimeoutError("monitor did not finish")

    def exit_file(self):
        with open(self.exitfile) as f:
            code, ns = f.read().split()
        return int(code), int(ns)

    def log_entries(self):
        with open(self.log) as f:
            return [json.loads(line) for line in f]

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class Client:
    def __init__(self, sock):
        self.s = sock
        self.buf = b""

    def send(self, kind, payload=b""):
        self.s.sendall(frame(kind, payload))

    def frames(self, timeout=10, until_exit=True):
        """Reads frames until the exit frame (or EOF/timeout); returns [(type, payload)]."""
        out = []
        self.s.settimeout(timeout)
        while True:
            while len(self.buf) >= 8:
                t, n = struct.unpack(">BxxxI", self.buf[:8])
                if len(self.buf) < 8 + n:
                    break
                out.append((t, self.buf[8:8 + n]))
                self.buf = self.buf[8 + n:]
                if t == 3 and until_exit:
                    return out
            try:
                b = self.s.recv(65536)
            except socket.timeout:
                return out
            if not b:
                return out
            self.buf += b

    def read_until(self, needle, timeout=10):
        """TTY: collects stdout frames until `needle` appears."""
        got = b""
        deadline = time.time() + timeout
        self.s.settimeout(0.2)
        while needle not in got and time.time() < deadline:
            try:
                b = self.s.recv(65536)
            except socket.timeout:
                continue
            if not b:
                break
            self.buf += b
            while len(self.buf) >= 8:
                t, n = struct.unpack(">BxxxI", self.buf[:8])
                if len(self.buf) < 8 + n:
                    break
                if t in (1, 2):
                    got += self.buf[8:8 + n]
                self.buf = self.buf[8 + n:]
        return got


def host_mounts():
    with open("/proc/self/mountinfo") as f:
        return sorted(" ".join(l.split()[3:5]) for l in f)


def stdout_of(frames):
    return b"".join(p for t, p in frames if t == 1)


def stderr_of(frames):
    return b"".join(p for t, p in frames if t == 2)


def exit_of(frames):
    codes = [int(p) for t, p in frames if t == 3]
    return codes[-1] if codes else None
