#!/usr/bin/env bash
# Compat/with-dockerd.sh COMMAND...: runs COMMAND with Berth's own dockerd up (Compat/dockerd.sh),
# then stops it, also when COMMAND fails. One user at a time: `make test`, `make compat` and
# `make bench` of several worktrees on one machine share that daemon, so they take turns
# (a lock file) instead of stopping it under each other.
set -uo pipefail
here=$(dirname "$0")
exec 9>/run/berth-compat-docker.lock
if ! flock -n 9; then
    echo "waiting for another make compat/test/bench to finish with dockerd" >&2
    flock 9
fi
"$here/dockerd.sh" start || exit 1
"$@"
status=$?
"$here/dockerd.sh" stop
exit $status
