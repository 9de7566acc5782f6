#!/usr/bin/env bash
# Compat/forward-check.sh BERTH: with our dockerd running (its docker0, DOCKER-* chains and,
# on a host where it turned on ip_forward itself, FORWARD policy DROP), a berth container must
# still get out. Checks, from a berth container:
#   1. wget to an HTTP server on the host's own address (INPUT path);
#   2. wget to a Docker container on docker0 (FORWARD path, berth bridge -> docker0);
# both once more with a DROP rule for the container's address appended to FORWARD: a rule at
# the end of the chain acts exactly as policy DROP would for that traffic, without touching
# the policy other users of this machine depend on.
set -euo pipefail
B=${1:?usage: forward-check.sh BERTH}
DOCKER=/usr/bin/docker
export DOCKER_HOST="unix://$("$(dirname "$0")/dockerd.sh" socket)"
work=$(mktemp -d /tmp/bf.XXXXXX)
export BERTH_ROOT=$work/root BERTH_RUN=$work/run
srv_pid= rules=()
cleanup() {
    for r in "${rules[@]}"; do iptables -D FORWARD $r 2>/dev/null || true; done
    [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null || true
    "$B" rm -f fwd >/dev/null 2>&1 || true
    "$B" network _destroy >/dev/null 2>&1 || true
    "$DOCKER" rm -f berth-fwd-web >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

host_ip=$(ip -4 -o route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p')
[ -n "$host_ip" ] || host_ip=$(hostname -I | awk '{print $1}')
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("0.0.0.0",0)); print(s.getsockname()[1])')
mkdir -p "$work/www" && echo host-ok >"$work/www/index.html"
python3 -m http.server "$port" --bind 0.0.0.0 --directory "$work/www" >/dev/null 2>&1 &
srv_pid=$!

"$B" seed busybox >/dev/null
"$DOCKER" image inspect busybox:latest >/dev/null 2>&1 || "$B" save busybox | "$DOCKER" load -q >/dev/null
"$DOCKER" run -d --name berth-fwd-web busybox sh -c 'echo docker-ok > /tmp/i; httpd -f -p 80 -h /tmp' >/dev/null
docker_ip=$("$DOCKER" inspect -f '{{.NetworkSettings.IPAddress}}' berth-fwd-web)
"$B" run -d --name fwd busybox sleep 120 >/dev/null
ip=$("$B" inspect -f '{{.NetworkSettings.IPAddress}}' fwd)
sleep 0.5

echo "FORWARD policy: $(iptables -S FORWARD | head -1); berth container $ip, docker container $docker_ip, host $host_ip:$port"
fail=0
check() {  # LABEL URL EXPECTED
    local got
    got=$("$B" exec fwd timeout 5 wget -q -O - "$2" 2>&1 || true)
    if [ "$got" = "$3" ]; then echo "ok    $1"; else echo "FAIL  $1: got '$got'"; fail=1; fi
}
check "berth container -> host server ($host_ip)" "http://$host_ip:$port/index.html" host-ok
check "berth container -> docker container (FORWARD)" "http://$docker_ip/i" docker-ok
rules=("-s $ip -j DROP" "-d $ip -j DROP")
for r in "${rules[@]}"; do iptables -A FORWARD $r; done
check "... with a DROP at the end of FORWARD: host server" "http://$host_ip:$port/index.html" host-ok
check "... with a DROP at the end of FORWARD: docker container" "http://$docker_ip/i" docker-ok
exit $fail
