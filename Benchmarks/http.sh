#!/usr/bin/env bash
# HTTP through a published port on 127.0.0.1 against straight to the container's address,
# with `ab` from Debian (apache2-utils), in alternating rounds so that load from elsewhere
# hits both sides alike. Two servers: busybox httpd (a new connection per request: measures
# the NAT path's per-connection cost) and Apache from Debian's mirror with keep-alive (the
# chapter 4 server; skipped when the mirror cannot be reached).
#   Benchmarks/http.sh BIN_DIR        (BENCH_ROUNDS, default 5)
# Prints one line per server: medians of requests/s and the ratio published/direct.
set -euo pipefail
BIN=${1:?usage: http.sh BIN_DIR}
B="$BIN/berth"
ROUNDS=${BENCH_ROUNDS:-5}
work=$(mktemp -d /tmp/berth-httpbench.XXXXXX)
export BERTH_ROOT=$work/root BERTH_RUN=$work/run
cleanup() {
    "$B" rm -f $("$B" ps -a -q) >/dev/null 2>&1 || true
    "$B" network _destroy >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
rps() { ab -q "$@" 2>/dev/null | awk '/Requests per second/ {print $4}'; }

# compare NAME DIRECT_CONTAINER PUBLISHED_CONTAINER PATH AB_ARGS...: alternating rounds.
# Two containers of the same image: connections to one address and port leave conntrack
# entries in TIME_WAIT (120 s) that would make the other side's next round wait for free
# source ports, whichever side ran first. Keep ROUNDS × -n under ~25,000 per side for the
# same reason (the host's ephemeral port range).
compare() {
    local name=$1 direct=$2 published=$3 path=$4; shift 4
    local ip port d=() p=()
    ip=$("$B" inspect -f '{{.NetworkSettings.IPAddress}}' "$direct")
    port=$("$B" port "$published" 80 | sed -n 's/^127\.0\.0\.1://p')
    for url in "http://$ip:80$path" "http://127.0.0.1:$port$path"; do  # warm up both
        ab -q -n 500 -c 8 "$url" >/dev/null 2>&1 || true
    done
    for _ in $(seq "$ROUNDS"); do
        d+=("$(rps "$@" "http://$ip:80$path")")
        p+=("$(rps "$@" "http://127.0.0.1:$port$path")")
    done
    local dm pm
    dm=$(printf '%s\n' "${d[@]}" | median)
    pm=$(printf '%s\n' "${p[@]}" | median)
    echo "$name: direct $dm req/s, published $pm req/s, published/direct = $(awk -v a="$pm" -v b="$dm" 'BEGIN{printf "%.2f", a/b}') (median of $ROUNDS rounds: ab $*)"
}

"$B" seed busybox >/dev/null
for c in bb1 bb2; do "$B" run -d --name $c -p 127.0.0.1:0:80 busybox httpd -f -p 80 -h /etc >/dev/null; done
compare "busybox httpd, new connection per request" bb1 bb2 /hostname -c 32 -n 4000

"$B" seed debian:12 >/dev/null
if "$B" run --name apache-build debian:12 sh -c \
    'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends apache2 >/dev/null' \
    >/dev/null 2>&1; then
    "$B" commit apache-build bench/apache >/dev/null
    for c in apache1 apache2; do
        "$B" run -d --name $c -p 127.0.0.1:0:80 bench/apache apachectl -D FOREGROUND >/dev/null
        for _ in $(seq 50); do "$B" exec $c bash -c 'exec 3<>/dev/tcp/127.0.0.1/80' 2>/dev/null && break; sleep 0.2; done
    done
    compare "Apache, keep-alive" apache1 apache2 / -k -c 32 -n 50000
else
    echo "Apache, keep-alive: not measured (the Debian mirror is not reachable from a container)"
fi
