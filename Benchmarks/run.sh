#!/usr/bin/env bash
# `make bench`: side-by-side timings on this machine. Usage: Benchmarks/run.sh BIN_DIR
# Prints a Markdown table to stdout and to Benchmarks/RESULTS.md. Each row is measured in
# this one run; tools that are missing are reported as "not installed".
set -euo pipefail
BIN=${1:?usage: run.sh BIN_DIR}
B="$BIN/berth"
N=${BENCH_RUNS:-30}
work=$(mktemp -d /tmp/berth-bench.XXXXXX)
export BERTH_ROOT=$work/root BERTH_RUN=$work/run
cleanup() {
    "$B" rm -f $("$B" ps -aq) >/dev/null 2>&1 || true
    "$B" network _destroy >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

# median and p90 (ms) of the given command, run N times
measure() {
    local times=()
    for _ in $(seq "$N"); do
        local t0=$(date +%s%N)
        "$@" >/dev/null 2>&1
        local t1=$(date +%s%N)
        times+=($(( (t1 - t0) / 1000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f %.1f\n", a[int((NR+1)/2)]/1000, a[int(NR*0.9+0.5)]/1000}'
}

rows=()
row() { rows+=("| $1 | $2 | $3 | $4 |"); }

"$B" seed busybox >/dev/null
"$B" run --rm busybox true >/dev/null  # creates the bridge

read -r m p < <(measure "$B" run --rm busybox true)
row 'berth run --rm busybox true (bridge)' "$m" "$p" ''
bridge=$m
read -r m p < <(measure "$B" run --rm --network none busybox true)
row 'berth run --rm --network none busybox true' "$m" "$p" "bridge/none = $(awk -v a="$bridge" -v b="$m" 'BEGIN{printf "%.2f", a/b}')"

if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    docker image inspect busybox >/dev/null 2>&1 || "$B" save busybox | docker load >/dev/null
    read -r dm dp < <(measure docker run --rm busybox true)
    row 'docker run --rm busybox true' "$dm" "$dp" "docker/berth = $(awk -v a="$dm" -v b="$bridge" 'BEGIN{printf "%.1f", a/b}')"
else
    row 'docker run --rm busybox true' 'not installed' '' ''
fi

# An idle container's monitor: resident and proportional set size.
id=$("$B" run -d busybox sleep 600)
mon=$(pgrep -f "berth-monitor $BERTH_RUN/$id" | head -1)
rss=$(awk '/VmRSS/ {print $2}' /proc/$mon/status)
pss=$(awk '/^Pss:/ {s+=$2} END {print s}' /proc/$mon/smaps_rollup)
row 'monitor memory, idle container' "RSS ${rss} kB" "PSS ${pss} kB" 'conmon: ~2000 kB RSS'
"$B" rm -f "$id" >/dev/null

# HTTP through a published port on 127.0.0.1 against the container's own address.
if command -v ab >/dev/null; then
    "$B" run -d --name benchweb -p 127.0.0.1:0:80 busybox httpd -f -p 80 -h /etc >/dev/null
    port=$("$B" port benchweb 80 | sed 's/.*://')
    ip=$("$B" inspect -f '{{.NetworkSettings.IPAddress}}' benchweb)
    sleep 0.2
    rps() { ab -q -k -c 32 -n 20000 "$1" 2>/dev/null | awk '/Requests per second/ {print $4}'; }
    direct=$(rps "http://$ip:80/hostname")
    published=$(rps "http://127.0.0.1:$port/hostname")
    row 'HTTP req/s, ab -c 32 (busybox httpd)' "direct $direct" "published $published" "published/direct = $(awk -v a="$published" -v b="$direct" 'BEGIN{printf "%.2f", a/b}')"
    "$B" rm -f benchweb >/dev/null
else
    row 'HTTP through a published port' 'not installed (ab)' '' ''
fi

{
    echo "# Berth benchmarks"
    echo
    echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r), $N runs per row."
    echo
    echo "| what | median ms / value | p90 ms / value | ratio |"
    echo "|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
} | tee "$(dirname "$0")/RESULTS.md"
