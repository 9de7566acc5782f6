#!/usr/bin/env bash
# Pull + unpack of debian:12 from a loopback docker-registry: `berth pull` against
# `skopeo copy` of the same image to an OCI directory (download + verify only), and
# `docker pull` when docker is installed. Usage: Benchmarks/pull.sh BIN_DIR
# Prints medians (ms) and the ratios. The image is berth's debian:12 seed, pushed with
# gzip layers (~50 MB compressed), so it is the same bytes every tool downloads.
set -euo pipefail
BIN=${1:?usage: pull.sh BIN_DIR}
B="$BIN/berth"
N=${BENCH_RUNS:-5}
work=$(mktemp -d /tmp/berth-pullbench.XXXXXX)
export BERTH_RUN=$work/run
reg_pid=
cleanup() {
    [ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null && wait "$reg_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/data"
cat >"$work/config.yml" <<EOF
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/data}}
http: {addr: 127.0.0.1:$port}
EOF
/usr/bin/docker-registry serve "$work/config.yml" >"$work/registry.log" 2>&1 &
reg_pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done

BERTH_ROOT=$work/src "$B" seed debian:12 >/dev/null
BERTH_ROOT=$work/src "$B" save -o "$work/debian.tar" debian:12
skopeo --insecure-policy copy -q --dest-tls-verify=false --dest-compress docker-archive:"$work/debian.tar" \
    "docker://127.0.0.1:$port/debian:12"
ref="127.0.0.1:$port/debian:12"
size=$(du -sk "$work/data" | cut -f1)

# median ms of N runs; $1 is a setup command run (untimed) before each run
measure() {
    local setup=$1; shift
    local times=()
    for _ in $(seq "$N"); do
        eval "$setup"
        sync
        local t0=$(date +%s%N)
        "$@" >/dev/null 2>&1
        local t1=$(date +%s%N)
        times+=($(( (t1 - t0) / 1000000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

berth_ms=$(measure 'rm -rf "$work/dst"' env BERTH_ROOT="$work/dst" "$B" pull "$ref")
skopeo_ms=$(measure 'rm -rf "$work/oci"' skopeo --insecure-policy copy -q --src-tls-verify=false "docker://$ref" "oci:$work/oci:debian")
# The same download followed by the unpack with standard tools: the floor for "pull + unpack".
unpack_oci() {
    skopeo --insecure-policy copy -q --src-tls-verify=false "docker://$ref" "oci:$work/oci:debian"
    for blob in $(find "$work/oci/blobs/sha256" -size +1M); do gzip -dc "$blob" | tar -x -C "$work/tree"; done
}
floor_ms=$(measure 'rm -rf "$work/oci" "$work/tree"; mkdir -p "$work/tree"' unpack_oci)
echo "registry data: ${size} kB, $N runs each"
echo "berth pull (download + verify + unpack): ${berth_ms} ms"
echo "skopeo copy to an OCI dir (download + verify): ${skopeo_ms} ms"
echo "skopeo copy + gzip -dc | tar -x (download + verify + unpack): ${floor_ms} ms"
awk -v a="$berth_ms" -v b="$skopeo_ms" 'BEGIN {printf "berth/skopeo = %.2f (goal <= 2)\n", a/b}'
awk -v a="$berth_ms" -v b="$floor_ms" 'BEGIN {printf "berth/(skopeo+tar) = %.2f\n", a/b}'
if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    docker_ms=$(measure 'docker rmi -f "$ref" >/dev/null 2>&1 || true' docker pull "$ref")
    echo "docker pull: ${docker_ms} ms"
    awk -v a="$docker_ms" -v b="$berth_ms" 'BEGIN {printf "docker/berth = %.2f (goal >= 3)\n", a/b}'
else
    echo "docker pull: not installed"
fi
