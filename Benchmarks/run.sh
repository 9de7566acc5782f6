#!/usr/bin/env bash
# `make bench`: Berth against Docker (our own dockerd, Compat/dockerd.sh), runc and skopeo on this
# machine, every row measured side by side in this one run. Usage: Benchmarks/run.sh BIN_DIR
# Timings use hyperfine when installed (else a loop of our own): median and p90 in ms.
# Writes Benchmarks/RESULTS.md (Markdown) and Benchmarks/results.json; a tool that is missing
# makes its cell "not installed".
set -euo pipefail
BIN=${1:?usage: run.sh BIN_DIR}
B="$BIN/berth"
HERE=$(cd "$(dirname "$0")" && pwd)
N=${BENCH_RUNS:-20}
NPULL=${BENCH_PULL_RUNS:-5}
DOCKER=/usr/bin/docker  # Debian's docker.io client; /usr/local/bin/docker is another one
export DOCKER_HOST="unix://$("$HERE/../Compat/dockerd.sh" socket)"
# Short paths: BERTH_RUN holds unix sockets (at most 107 bytes).
work=$(mktemp -d /tmp/bb.XXXXXX)
export BERTH_ROOT=$work/root BERTH_RUN=$work/run XDG_STATE_HOME=$work/state
mkdir -p "$work/t"
rows=$work/rows.jsonl
: >"$rows"
reg_pid=
cleanup() {
    [ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null && wait "$reg_pid" 2>/dev/null || true
    "$B" rm -f $("$B" ps -aq) >/dev/null 2>&1 || true
    "$B" network _destroy >/dev/null 2>&1 || true
    if [ "$have_docker" = yes ]; then
        "$DOCKER" rm -f $("$DOCKER" ps -aq --filter label=berth-bench) >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
have_docker=no
"$DOCKER" version >/dev/null 2>&1 && have_docker=yes
trap cleanup EXIT
have() { command -v "$1" >/dev/null 2>&1; }
log() { echo "bench: $*" >&2; }

# timing KEY RUNS PREPARE COMMAND: writes $work/t/KEY.json = {"times": [seconds...]}.
# A failing command is an error, except where the caller passes IGNORE_FAILURE=1.
timing() {
    local key=$1 runs=$2 prepare=$3 cmd=$4
    log "$key: $cmd"
    if have hyperfine; then
        local args=(--style none --runs "$runs" --warmup 1 --export-json "$work/t/$key.hf.json")
        [ -n "$prepare" ] && args+=(--prepare "$prepare")
        [ "${IGNORE_FAILURE:-0}" = 1 ] && args+=(-i)
        hyperfine "${args[@]}" "$cmd" >/dev/null
        python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; json.dump({"times": r["times"]}, open(sys.argv[2], "w"))' \
            "$work/t/$key.hf.json" "$work/t/$key.json"
    else
        local times=()
        for _ in $(seq "$runs"); do
            [ -n "$prepare" ] && bash -c "$prepare" >/dev/null 2>&1
            local t0=$(date +%s%N)
            bash -c "$cmd" >/dev/null 2>&1 || [ "${IGNORE_FAILURE:-0}" = 1 ]
            local t1=$(date +%s%N)
            times+=("$(( (t1 - t0) / 1000 ))e-6")
        done
        printf '{"times": [%s]}\n' "$(IFS=,; echo "${times[*]}")" >"$work/t/$key.json"
    fi
}

# row WHAT KIND(time|value) BERTH DOCKER OTHER-LABEL OTHER NOTE: one line of the table.
# For KIND=time the cells are timing keys ("" = not measured, "!text" = text shown as is).
row() {
    python3 -c 'import json,sys; print(json.dumps(dict(zip(["what","kind","berth","docker","other_label","other","note"], sys.argv[1:]))))' \
        "$@" >>"$rows"
}

# ---------------------------------------------------------------- setup
"$B" seed busybox >/dev/null
"$B" run --rm busybox true >/dev/null  # creates the bridge
if [ $have_docker = yes ]; then
    "$DOCKER" image inspect busybox:latest >/dev/null 2>&1 || "$B" save busybox | "$DOCKER" load -q >/dev/null
    "$DOCKER" run --rm busybox true >/dev/null
fi
dk() { [ $have_docker = yes ] && echo "$1" || echo "!not installed (dockerd not running)"; }

# ---------------------------------------------------------------- run --rm
timing berth_run "$N" "" "$B run --rm busybox true"
timing berth_run_none "$N" "" "$B run --rm --network none busybox true"
[ $have_docker = yes ] && timing docker_run "$N" "" "$DOCKER run --rm busybox true"
[ $have_docker = yes ] && timing docker_run_none "$N" "" "$DOCKER run --rm --network none busybox true"
runc_key="!not installed (runc)"
if have runc; then
    # The same busybox rootfs as an OCI bundle; runc's default spec has a network namespace
    # without interfaces, so it compares with --network none.
    mkdir -p "$work/bundle/rootfs"
    cid=$("$B" create busybox true)
    "$B" export "$cid" | tar -x -C "$work/bundle/rootfs"
    "$B" rm "$cid" >/dev/null
    runc spec --bundle "$work/bundle"
    python3 - "$work/bundle/config.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["terminal"] = False
c["process"]["args"] = ["true"]
json.dump(c, open(sys.argv[1], "w"))
EOF
    timing runc_run "$N" "" "runc --root $work/runc run --bundle $work/bundle bench-runc"
    runc_key=runc_run
fi
row "run --rm busybox true (bridge)" time berth_run "$(dk docker_run)" "" "" ""
row "run --rm --network none busybox true" time berth_run_none "$(dk docker_run_none)" "runc run (same bundle)" "$runc_key" ""

# ---------------------------------------------------------------- create, start, ps -a, exec
timing berth_create "$N" "" "$B create busybox true"
[ $have_docker = yes ] && timing docker_create "$N" "" "$DOCKER create --label berth-bench busybox true"
row "create busybox true" time berth_create "$(dk docker_create)" "" "" ""

timing berth_start "$N" "$B rm -f st >/dev/null 2>&1; $B create --name st busybox true" "$B start st"
[ $have_docker = yes ] && timing docker_start "$N" \
    "$DOCKER rm -f st >/dev/null 2>&1; $DOCKER create --label berth-bench --name st busybox true" "$DOCKER start st"
row "start (container running true)" time berth_start "$(dk docker_start)" "" "" ""

log "creating 100 containers on each side"
while [ "$("$B" ps -aq | wc -l)" -lt 100 ]; do "$B" create busybox true >/dev/null; done
if [ $have_docker = yes ]; then
    while [ "$("$DOCKER" ps -aq --filter label=berth-bench | wc -l)" -lt 100 ]; do
        "$DOCKER" create --label berth-bench busybox true >/dev/null
    done
fi
timing berth_ps "$N" "" "$B ps -a"
[ $have_docker = yes ] && timing docker_ps "$N" "" "$DOCKER ps -a"
row "ps -a, 100 containers" time berth_ps "$(dk docker_ps)" "" "" ""

"$B" run -d --name ex busybox sleep 600 >/dev/null
timing berth_exec "$N" "" "$B exec ex true"
if [ $have_docker = yes ]; then
    "$DOCKER" run -d --label berth-bench --name ex busybox sleep 600 >/dev/null
    timing docker_exec "$N" "" "$DOCKER exec ex true"
fi
row "exec true" time berth_exec "$(dk docker_exec)" "" "" ""
log "removing the containers"
"$B" rm -f $("$B" ps -aq) >/dev/null
[ $have_docker = yes ] && "$DOCKER" rm -f $("$DOCKER" ps -aq --filter label=berth-bench) >/dev/null

# ---------------------------------------------------------------- memory per container
# PSS of what each container with one published port costs outside itself.
pss() { awk '/^Pss:/ {s+=$2} END {print s+0}' "/proc/$1/smaps_rollup"; }
"$B" run -d --name mem -p 127.0.0.1:0:80 busybox httpd -f -p 80 -h /etc >/dev/null
id=$("$B" inspect -f '{{.Id}}' mem)
mon=$(pgrep -f "berth-monitor $BERTH_RUN/$id" | head -1)
berth_mem="$(pss "$mon") kB (RSS $(awk '/VmRSS/ {print $2}' "/proc/$mon/status") kB)"
docker_mem="!not installed"
if [ $have_docker = yes ]; then
    "$DOCKER" run -d --label berth-bench --name mem -p 127.0.0.1:0:80 busybox httpd -f -p 80 -h /etc >/dev/null
    shim=$(ps -o ppid= -p "$("$DOCKER" inspect -f '{{.State.Pid}}' mem)" | tr -d ' ')
    hport=$("$DOCKER" port mem 80 | head -1 | sed 's/.*://')
    proxies=$(pgrep -f "docker-proxy .*-host-port $hport( |$)" || true)
    total=$(pss "$shim"); for p in $proxies; do total=$((total + $(pss "$p"))); done
    docker_mem="$total kB (containerd-shim $(pss "$shim") kB + $(echo $proxies | wc -w) docker-proxy)"
    "$DOCKER" rm -f mem >/dev/null
fi
"$B" rm -f mem >/dev/null
row "memory (PSS) per container with -p" value "$berth_mem" "$docker_mem" "" "" "berth-monitor vs containerd-shim-runc-v2 + docker-proxy"

# ---------------------------------------------------------------- HTTP through a published port
if have ab; then
    rps() { ab -q -k -c 32 -n 20000 "$1" 2>/dev/null | awk '/Requests per second/ {print $4}'; }
    http_pair() {  # CLI NAME: "published/direct" req/s of busybox httpd
        "$1" run -d --label berth-bench --name "$2" -p 127.0.0.1:0:80 busybox httpd -f -p 80 -h /etc >/dev/null 2>&1 ||
            "$1" run -d --name "$2" -p 127.0.0.1:0:80 busybox httpd -f -p 80 -h /etc >/dev/null
        local port ip
        port=$("$1" port "$2" 80 | head -1 | sed 's/.*://')
        ip=$("$1" inspect -f '{{.NetworkSettings.IPAddress}}' "$2")
        sleep 0.3
        local direct published
        direct=$(rps "http://$ip:80/hostname")
        published=$(rps "http://127.0.0.1:$port/hostname")
        "$1" rm -f "$2" >/dev/null
        echo "$published req/s published, $direct direct ($(awk -v a="$published" -v b="$direct" 'BEGIN{printf "%.2f", a/b}'))"
    }
    berth_http=$(http_pair "$B" web)
    docker_http="!not installed"
    [ $have_docker = yes ] && docker_http=$(http_pair "$DOCKER" web)
    row "HTTP via 127.0.0.1 published port, ab -k -c 32 (busybox httpd)" value "$berth_http" "$docker_http" "" "" "published/direct in parentheses"
else
    row "HTTP via a published port" value "!not installed (ab)" "!not installed (ab)" "" "" ""
fi

# ---------------------------------------------------------------- pull + unpack of debian:12
if have skopeo && [ -x /usr/bin/docker-registry ]; then
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    mkdir -p "$work/registry"
    cat >"$work/registry.yml" <<EOF
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/registry}}
http: {addr: 127.0.0.1:$port}
EOF
    /usr/bin/docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
    reg_pid=$!
    for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
    log "pushing debian:12 (gzip layers) to the loopback registry"
    BERTH_ROOT=$work/src "$B" seed debian:12 >/dev/null
    BERTH_ROOT=$work/src "$B" save -o "$work/debian.tar" debian:12
    skopeo --insecure-policy copy -q --dest-tls-verify=false --dest-compress docker-archive:"$work/debian.tar" \
        "docker://127.0.0.1:$port/debian:12"
    rm -rf "$work/src" "$work/debian.tar"
    ref="127.0.0.1:$port/debian:12"
    timing berth_pull "$NPULL" "rm -rf $work/dst; sync" "BERTH_ROOT=$work/dst $B pull $ref"
    timing skopeo_pull "$NPULL" "rm -rf $work/oci; sync" \
        "skopeo --insecure-policy copy -q --src-tls-verify=false docker://$ref oci:$work/oci:debian"
    [ $have_docker = yes ] && timing docker_pull "$NPULL" "$DOCKER rmi -f $ref >/dev/null 2>&1; sync" "$DOCKER pull -q $ref"
    rm -rf "$work/dst" "$work/oci"
    [ $have_docker = yes ] && "$DOCKER" rmi -f "$ref" >/dev/null 2>&1
    row "pull debian:12 from a loopback registry ($(du -sh "$work/registry" | cut -f1) gzip)" time berth_pull \
        "$(dk docker_pull)" "skopeo copy to an OCI dir (no unpack)" skopeo_pull "berth and docker unpack, skopeo does not"
else
    row "pull debian:12 from a loopback registry" time "!not installed (skopeo/docker-registry)" "" "" "" ""
fi

# ---------------------------------------------------------------- the lab
lessons=$HERE/../Lessons
timing lab_start "$N" "" "printf ':quit\n' | $B lab open 02-containers --lessons $lessons --no-record"
IGNORE_FAILURE=1 timing lab_check "$N" "" "$B lab check 02-containers --lessons $lessons --json"
row "lab start (open a chapter, :quit)" time lab_start "!n/a" "" "" ""
row "lab check 02-containers (16 steps)" time lab_check "!n/a" "" "" ""

# ---------------------------------------------------------------- report
storage=$(findmnt -no SOURCE,FSTYPE -T "$work" | head -1)
docker_root=$([ $have_docker = yes ] && "$DOCKER" info -f '{{.DockerRootDir}} ({{.Driver}})' 2>/dev/null || echo "-")
python3 - "$rows" "$work/t" "$HERE" "$N" "$NPULL" "$storage" "$docker_root" "$(have hyperfine && hyperfine --version || echo 'own loop')" <<'EOF'
import datetime, json, math, os, platform, subprocess, sys
rows_file, tdir, here, n, npull, storage, docker_root, timer = sys.argv[1:9]

def stats(key):
    times = sorted(json.load(open(os.path.join(tdir, key + ".json")))["times"])
    pick = lambda q: times[max(0, math.ceil(q * len(times)) - 1)]  # nearest rank
    return {"median_ms": round(pick(0.5) * 1000, 1), "p90_ms": round(pick(0.9) * 1000, 1), "runs": len(times)}

def cell(kind, v):
    if not v:
        return None, ""
    if v.startswith("!"):
        return None, v[1:]
    if kind == "value":
        return None, v
    s = stats(v)
    return s, f"{s['median_ms']} / {s['p90_ms']}"

def version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip().splitlines()[0]
    except Exception:
        return "not installed"

out_rows, table = [], []
for line in open(rows_file):
    r = json.loads(line)
    b, bt = cell(r["kind"], r["berth"])
    d, dt = cell(r["kind"], r["docker"])
    o, ot = cell(r["kind"], r["other"])
    ratios = []
    if b and d:
        ratios.append(f"docker/berth {d['median_ms'] / b['median_ms']:.2f}")
    if b and o:
        ratios.append(f"{r['other_label'].split(' ')[0]}/berth {o['median_ms'] / b['median_ms']:.2f}")
    other = f"{r['other_label']}: {ot}" if r["other_label"] else ""
    table.append(f"| {r['what']} | {bt} | {dt} | {other} | {', '.join(ratios)} | {r['note']} |")
    out_rows.append({"what": r["what"], "berth": b or bt, "docker": d or dt,
                     "other": {"label": r["other_label"], "value": o or ot} if r["other_label"] else None,
                     "ratios": ratios, "note": r["note"]})

cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")) / 1048576
facts = {
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    "kernel": platform.release(), "cores": os.cpu_count(), "cpu": cpu, "memory_gib": round(mem, 1),
    "storage": storage, "docker_root": docker_root,
    "docker": version(["/usr/bin/docker", "version", "-f", "{{.Server.Version}}"]),
    "runc": version(["runc", "--version"]), "timer": timer, "runs": int(n), "pull_runs": int(npull),
}
json.dump({"machine": facts, "rows": out_rows}, open(os.path.join(here, "results.json"), "w"), indent=1)
md = [
    "# Berth benchmarks",
    "",
    f"{facts['date']} · kernel {facts['kernel']} · {facts['cores']} cores ({cpu}) · {facts['memory_gib']} GiB · "
    f"storage {storage} · Docker {facts['docker']} (runc, {docker_root}) · {facts['runc']} · timer: {timer}.",
    "",
    f"Medians and p90 in ms over {n} runs ({npull} for pulls), all measured side by side in one `make bench` run "
    "on the release build. **The numbers are noisy**: this machine's two cores are shared with other "
    "builds and tests running at the same time, so read the ratios, not the absolute times, and expect "
    "them to move by 10-30 % between runs. Ratios are other/berth medians: above 1, Berth is faster.",
    "",
    "| what | berth median / p90 | docker median / p90 | other | ratio (median) | note |",
    "|---|---|---|---|---|---|",
] + table
open(os.path.join(here, "RESULTS.md"), "w").write("\n".join(md) + "\n")
print("\n".join(md))
EOF
