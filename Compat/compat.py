#!/usr/bin/env python3
"""Differential suite: the same scripted command sequences against Docker and Berth.

Usage: Compat/compat.py --berth BIN/berth [--fast] [--only CHAPTER] [--keep]

Each Compat/NN-*.yaml holds one chapter's steps. A step runs as a bash line in which `docker`
is, in turn, Debian's docker client talking to our own dockerd (Compat/dockerd.sh) and berth
with a fresh state root. The whole chapter runs on Docker first, then on Berth (both publish
the same host ports, so they cannot run at once). Outputs are normalised (IDs, names, times,
sizes, addresses, ports) and compared; differences that Compat/DIFFERENCES.yaml explains are
reported as "allowed", any other one fails the run (exit 1).
"""
import argparse
import difflib
import fnmatch
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
DOCKER = "/usr/bin/docker"  # Debian's docker.io client; /usr/local/bin/docker is a newer one
SEEDS = {"busybox": "busybox:latest", "debian": "debian:12"}


# ---------------------------------------------------------------- normalisation

NAME_WORDS = re.compile(r"\b[a-z]{3,}_[a-z]{2,}\d?\b")  # Docker's random names: adjective_surname (wu, yu: 2 letters)


def normalise(text, ports):
    for i, port in enumerate(ports, 1):
        text = re.sub(rf"(?<![0-9]){port}(?![0-9])", f"${{P{i}}}", text)
    text = re.sub(r"sha256:[0-9a-f]{64}", "sha256:<ID>", text)
    text = re.sub(r"\b[0-9a-f]{64}\b", "<ID>", text)
    text = re.sub(r"\b[0-9a-f]{12}\b", "<ID>", text)
    text = re.sub(r"\b172\.(1[6-9]|2[0-9]|3[01])\.\d+\.\d+\b", "<IP>", text)
    text = re.sub(r"\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?( [A-Z]{3,4})?", "<TIME>", text)
    text = re.sub(r"\b(About )?(an?|\d+|Less than a) (second|minute|hour|day|week|month|year)s?( ago)?",
                  "<TIME>", text)
    text = re.sub(r"\b\d+(\.\d+)?\s?(B|kB|KB|MB|GB|KiB|MiB|GiB)\b", "<SIZE>", text)
    text = re.sub(r"(?<=:)(3[2-9]\d{3}|[4-6]\d{4})\b", "<PORT>", text)  # ports the daemon picked
    text = NAME_WORDS.sub("<NAME>", text)
    # Column widths follow the (now replaced) values, so alignment is not compared.
    text = "\n".join(re.sub(r"[ \t]{2,}", "  ", line).rstrip() for line in text.splitlines())
    return text.strip("\n")


# ---------------------------------------------------------------- the two sides

class Side:
    def __init__(self, name, workdir, env, wrapper):
        self.name = name
        self.work = os.path.join(workdir, name)
        os.makedirs(os.path.join(self.work, "bin"), exist_ok=True)
        os.makedirs(os.path.join(self.work, "tmp"), exist_ok=True)
        self.env = dict(os.environ)
        self.env.update(env)
        self.env["PATH"] = os.path.join(self.work, "bin") + ":" + self.env["PATH"]
        self.env["WORK"] = os.path.join(self.work, "tmp")
        self.env["LESSONS"] = os.path.join(os.path.dirname(HERE), "Lessons")
        path = os.path.join(self.work, "bin", "docker")
        with open(path, "w") as f:
            f.write("#!/bin/sh\n" + wrapper + "\n")
        os.chmod(path, 0o755)

    def sh(self, line, timeout=120, check=False):
        try:
            p = subprocess.run(["bash", "-o", "pipefail", "-c", line], env=self.env, cwd=self.env["WORK"],
                               stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
            out = (p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"))
        except subprocess.TimeoutExpired:
            out = (-1, "", f"timed out after {timeout} s")
        if check and out[0] != 0:
            raise RuntimeError(f"{self.name}: `{line}` failed: {out[2].strip()}")
        return out

    def tty(self, line, inputs, timeout=60):
        """Runs line on a pseudo-terminal, typing inputs (one every 0.7 s); returns status and screen."""
        master, slave = os.openpty()
        p = subprocess.Popen(["bash", "-c", line], env=self.env, cwd=self.env["WORK"], stdin=slave,
                             stdout=slave, stderr=slave, start_new_session=True)
        os.close(slave)
        screen = b""
        pending = list(inputs)
        deadline = time.time() + timeout
        next_input = time.time() + 1.0
        while time.time() < deadline:
            if pending and time.time() >= next_input:
                os.write(master, pending.pop(0).encode().decode("unicode_escape").encode("latin-1"))
                next_input = time.time() + 0.7
            r, _, _ = select.select([master], [], [], 0.1)
            if r:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    chunk = b""
                if not chunk and p.poll() is not None:
                    break
                screen += chunk
            elif p.poll() is not None and not pending:
                break
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            status = -1
        else:
            status = p.returncode
        os.close(master)
        return status, screen.decode(errors="replace").replace("\r", "")


def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("0.0.0.0", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def http_get(url, timeout=10):
    deadline = time.time() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=3) as r:
                return 0, f"{r.status}\n{r.read().decode(errors='replace')}", ""
        except urllib.error.HTTPError as e:
            return 0, f"{e.code}\n", ""
        except Exception as e:  # connection refused while the server starts
            if time.time() > deadline:
                return 1, "", f"unreachable: {type(e).__name__}"
            time.sleep(0.2)


def dig(value, path):
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return "<missing>"
        value = value[key]
    return value


# ---------------------------------------------------------------- one step

def substitute(text, ports):
    for i, port in enumerate(ports, 1):
        text = text.replace(f"${{P{i}}}", str(port))
    return text


def run_step(side, step, ports):
    """Returns {part: text} for the parts this step compares."""
    result = run_step_raw(side, step, ports)
    # Each side has its own scratch directory; the path is not part of the comparison.
    return {k: v.replace(side.env["WORK"], "$WORK") for k, v in result.items()}


def run_step_raw(side, step, ports):
    if "run" in step:
        status, out, err = side.sh(substitute(step["run"], ports), timeout=step.get("timeout", 120))
        if "filter" in step:
            keep = re.compile(step["filter"])
            out = "\n".join(l for l in out.splitlines() if keep.search(l))
        return {"exit": str(status), "stdout": normalise(out, ports), "stderr": normalise(err, ports)}
    if "inspect" in step:
        status, out, err = side.sh(f"docker inspect {step['inspect']}")
        result = {"exit": str(status), "stderr": normalise(err, ports)}
        try:
            obj = json.loads(out)[0]
        except (ValueError, IndexError):
            result["stdout"] = normalise(out, ports)
            return result
        for field in step["fields"]:
            result[field] = normalise(json.dumps(dig(obj, field), sort_keys=True), ports)
        return result
    if "http" in step:
        status, out, err = http_get(substitute(step["http"], ports))
        return {"exit": str(status), "stdout": normalise(out, ports), "stderr": err}
    if "tty" in step:
        status, screen = side.tty(substitute(step["tty"], ports), step.get("input", []))
        result = {"exit": str(status)}
        for pattern in step.get("expect", []):
            result[f"screen ~ {pattern}"] = "found" if re.search(pattern, screen) else "missing:\n" + screen[-600:]
        return result
    raise ValueError(f"step {step.get('id')}: no run/inspect/http/tty")


# ---------------------------------------------------------------- state between chapters

def reset_docker(side, images):
    side.sh("docker rm -f $(docker ps -aq) >/dev/null 2>&1; true", timeout=180)
    status, out, _ = side.sh("docker images --format '{{.Repository}}:{{.Tag}}'")
    keep = {SEEDS[i] for i in images}
    extra = [ref for ref in out.split() if ref not in keep]
    if extra:
        side.sh("docker rmi -f " + " ".join(extra) + " >/dev/null 2>&1; docker image prune -f >/dev/null")
    for image in images:
        if side.sh(f"docker image inspect {SEEDS[image]} >/dev/null 2>&1")[0] != 0:
            side.sh(f"docker load -q -i {SEED_TARS[image]} >/dev/null", timeout=600, check=True)


SEED_TARS = {}


def prepare_seeds(berth, workdir, images):
    """One berth state root that builds the seeds; `berth save` of each feeds `docker load`."""
    env = {"BERTH_ROOT": os.path.join(workdir, "seed-root"), "BERTH_RUN": os.path.join(workdir, "seed-run")}
    for image in images:
        if image in SEED_TARS:
            continue
        subprocess.run([berth, "seed", SEEDS[image]], env={**os.environ, **env}, check=True,
                       stdout=subprocess.DEVNULL)
        tar = os.path.join(workdir, image + ".tar")
        subprocess.run([berth, "save", "-o", tar, SEEDS[image]], env={**os.environ, **env}, check=True)
        SEED_TARS[image] = tar


def berth_side(berth, workdir, chapter, images):
    # Short paths: BERTH_RUN holds unix sockets, whose path may not exceed 107 bytes.
    root = os.path.join(workdir, "b" + chapter[:2])
    env = {"BERTH_ROOT": root + "/root", "BERTH_RUN": root + "/run"}
    side = Side("berth", os.path.join(workdir, chapter),
                env, f'BERTH_ROOT={root}/root BERTH_RUN={root}/run exec {berth} "$@"')
    for image in images:
        side.sh(f"docker load -q -i {SEED_TARS[image]} >/dev/null", timeout=600, check=True)
    return side


def teardown_berth(side):
    side.sh("docker rm -f $(docker ps -aq) >/dev/null 2>&1; docker network _destroy >/dev/null 2>&1; true")


# ---------------------------------------------------------------- comparing

def load_differences():
    with open(os.path.join(HERE, "DIFFERENCES.yaml")) as f:
        return yaml.safe_load(f) or []


def allowed(differences, key, part):
    for d in differences:
        if fnmatch.fnmatch(key, d["step"]) and (part in d.get("parts", []) or "*" in d.get("parts", [])):
            return d["reason"]
    return None


def diff_text(a, b):
    lines = difflib.unified_diff(a.splitlines(), b.splitlines(), "docker", "berth", lineterm="", n=1)
    return "\n".join(list(lines)[2:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--berth", required=True)
    ap.add_argument("--fast", action="store_true", help="busybox-only subset for make test")
    ap.add_argument("--only", help="run only chapters whose file name contains this")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--json", help="write the results here as JSON")
    args = ap.parse_args()
    berth = os.path.abspath(args.berth)

    sock = subprocess.run([os.path.join(HERE, "dockerd.sh"), "socket"], capture_output=True, text=True).stdout.strip()
    if subprocess.run([DOCKER, "-H", "unix://" + sock, "version"], capture_output=True).returncode != 0:
        sys.exit(f"compat: no dockerd at {sock}; run Compat/dockerd.sh start (see its log under /run)")

    chapters = []
    for name in sorted(os.listdir(HERE)):
        if not re.match(r"^\d\d-.*\.yaml$", name) or (args.only and args.only not in name):
            continue
        with open(os.path.join(HERE, name)) as f:
            chapter = yaml.safe_load(f)
        chapter["file"] = name[:-5]
        steps = chapter["steps"]
        if args.fast:
            if not chapter.get("fast", False):
                continue
            steps = [s for s in steps if s.get("fast", True)]
            chapter["images"] = ["busybox"]  # the fast subset is busybox only
        chapter["steps"] = steps
        chapters.append(chapter)

    differences = load_differences()
    workdir = tempfile.mkdtemp(prefix="bc.", dir="/tmp")
    rows, failures, started = [], 0, time.time()
    try:
        prepare_seeds(berth, workdir, sorted({i for c in chapters for i in c.get("images", ["busybox"])}))
        for chapter in chapters:
            images = chapter.get("images", ["busybox"])
            ports = free_ports(chapter.get("ports", 3))
            docker = Side("docker", os.path.join(workdir, chapter["file"]), {"DOCKER_HOST": "unix://" + sock},
                          f'DOCKER_HOST=unix://{sock} exec {DOCKER} "$@"')
            reset_docker(docker, images)
            results = {"docker": [], "berth": []}
            for step in chapter["steps"]:
                results["docker"].append(run_step(docker, step, ports))
            reset_docker(docker, images)  # frees the host ports for berth
            side = berth_side(berth, workdir, chapter["file"], images)
            try:
                for step in chapter["steps"]:
                    results["berth"].append(run_step(side, step, ports))
            finally:
                teardown_berth(side)
            for step, d, b in zip(chapter["steps"], results["docker"], results["berth"]):
                if step.get("compare") == "none":
                    continue
                parts = step.get("compare") or list(d.keys())
                key = f"{chapter['file']}/{step['id']}"
                verdict, notes = "same", []
                for part in parts:
                    if d.get(part) == b.get(part):
                        continue
                    reason = allowed(differences, key, part)
                    text = f"[{part}]\n" + diff_text(d.get(part, ""), b.get(part, ""))
                    if reason:
                        verdict = "allowed" if verdict == "same" else verdict
                        notes.append(text + f"\n(allowed: {reason})")
                    else:
                        verdict = "DIFFERENT"
                        notes.append(text)
                # `ok: true` steps must succeed on both sides: two equal failures prove nothing.
                if step.get("ok") and (d.get("exit") != "0" or b.get("exit") != "0"):
                    verdict = "FAILED"
                    notes.append(f"[ok] exit docker {d.get('exit')}, berth {b.get('exit')}; "
                                 f"stderr docker: {d.get('stderr', '')[-300:]!r} berth: {b.get('stderr', '')[-300:]!r}")
                if verdict in ("DIFFERENT", "FAILED"):
                    failures += 1
                command = step.get("run") or step.get("tty") or (
                    f"inspect {step['inspect']}" if "inspect" in step else f"GET {step.get('http')}")
                rows.append({"step": key, "command": command, "verdict": verdict, "diff": "\n".join(notes)})
    finally:
        if args.keep:
            print(f"work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    width = max((len(r["step"]) for r in rows), default=10)
    print(f"{'step'.ljust(width)}  {'verdict':9}  command")
    for r in rows:
        print(f"{r['step'].ljust(width)}  {r['verdict']:9}  {r['command'][:90]}")
        if r["diff"] and (r["verdict"] in ("DIFFERENT", "FAILED") or os.environ.get("COMPAT_VERBOSE")):
            print("    " + r["diff"].replace("\n", "\n    "))
    counts = {v: sum(1 for r in rows if r["verdict"] == v) for v in ("same", "allowed", "DIFFERENT", "FAILED")}
    print(f"\n{len(rows)} steps: {counts['same']} same, {counts['allowed']} allowed differences "
          f"(Compat/DIFFERENCES.yaml), {counts['DIFFERENT']} different, {counts['FAILED']} failed on a side "
          f"that must succeed; {time.time() - started:.0f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
