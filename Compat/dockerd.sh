#!/usr/bin/env bash
# Compat/dockerd.sh start|stop|status — a dockerd of Berth's own for `make compat`, `make test`
# and `make bench`, with its own data root, exec root, pidfile and socket, so it never touches
# a system Docker and can be stopped cleanly. Clients use DOCKER_HOST=unix://$SOCK and
# /usr/bin/docker (Debian's docker.io client; /usr/local/bin/docker may be a newer one).
# runc is the runtime: on this host's cgroup v1 hybrid layout crun does not work.
set -euo pipefail
BASE=${BERTH_COMPAT_DOCKER:-/var/lib/berth-compat-docker}
RUN=${BERTH_COMPAT_DOCKER_RUN:-/run/berth-compat-docker}
SOCK=$RUN/docker.sock
PIDFILE=$RUN/dockerd.pid
LOG=$RUN/dockerd.log
DOCKERD=/usr/sbin/dockerd

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

case ${1:-} in
start)
    if running && DOCKER_HOST=unix://$SOCK /usr/bin/docker version >/dev/null 2>&1; then
        echo "dockerd already running (pid $(cat "$PIDFILE"))" >&2; exit 0
    fi
    [ -x "$DOCKERD" ] || { echo "dockerd: $DOCKERD missing (apt-get install docker.io)" >&2; exit 1; }
    mkdir -p "$BASE/data" "$RUN/exec"
    # setsid: the daemon must outlive the make recipe's shell and not get its signals.
    setsid "$DOCKERD" --data-root "$BASE/data" --exec-root "$RUN/exec" --pidfile "$PIDFILE" \
        -H "unix://$SOCK" --default-runtime runc >"$LOG" 2>&1 </dev/null &
    for _ in $(seq 150); do
        DOCKER_HOST=unix://$SOCK /usr/bin/docker version >/dev/null 2>&1 && { echo "dockerd started (socket $SOCK)" >&2; exit 0; }
        sleep 0.2
    done
    # Say exactly why: the daemon's own last words.
    echo "dockerd did not come up within 30 s; the end of $LOG:" >&2
    tail -15 "$LOG" >&2
    exit 1
    ;;
stop)
    running || { echo "dockerd not running" >&2; exit 0; }
    pid=$(cat "$PIDFILE")
    kill "$pid"
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || { echo "dockerd stopped" >&2; exit 0; }; sleep 0.2; done
    echo "dockerd (pid $pid) did not stop within 30 s" >&2; exit 1
    ;;
status)
    running && echo "running, pid $(cat "$PIDFILE"), socket $SOCK" || { echo "not running"; exit 1; }
    ;;
socket) echo "$SOCK" ;;
*) echo "usage: $0 start|stop|status|socket" >&2; exit 2 ;;
esac
