#!/bin/sh
# make-child-image.sh SAVED.tar OUT.tar
#
# Builds `berth-lab/hello:1` offline: the layers of a `docker save` archive (busybox) plus
# one new layer holding /hello.txt, written as a docker-save archive for `docker load`.
# It stands in for pulling an image built FROM busybox, which needs a registry. Only sh,
# tar, sed and sha256sum are used, so it runs on any host the lab runs on.
set -eu
src=$1
case $2 in /*) out=$2 ;; *) out=$(pwd)/$2 ;; esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir "$work/new"
tar -xf "$src" -C "$work/new"
# Docker's loader reads manifest.json; drop the OCI index so there is one way in.
rm -f "$work/new/index.json" "$work/new/oci-layout" "$work/new/repositories"

manifest=$(cat "$work/new/manifest.json")
base_config=$(printf '%s' "$manifest" | sed -n 's/.*"Config" *: *"\([^"]*\)".*/\1/p')
base_layers=$(printf '%s' "$manifest" | sed -n 's/.*"Layers" *: *\[\([^]]*\)\].*/\1/p')
config_json=$(cat "$work/new/$base_config")
base_diffs=$(printf '%s' "$config_json" | sed -n 's/.*"diff_ids" *: *\[\([^]]*\)\].*/\1/p')
arch=$(printf '%s' "$config_json" | sed -n 's/.*"architecture" *: *"\([^"]*\)".*/\1/p')
[ -n "$base_layers" ] && [ -n "$base_diffs" ] || { echo "make-child-image: cannot read $src" >&2; exit 1; }

# The new layer: one file, fixed owner and time so the digest is the same on every run.
mkdir "$work/layer"
printf 'hello from a layer of its own\n' > "$work/layer/hello.txt"
tar --numeric-owner --owner=0 --group=0 --mtime=@0 -cf "$work/layer.tar" -C "$work/layer" hello.txt
diff=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
mkdir -p "$work/new/$diff"
mv "$work/layer.tar" "$work/new/$diff/layer.tar"

# One history entry per layer, as Docker expects when it lists `docker history`.
history=""
for _ in $(printf '%s' "$base_diffs" | tr ',' ' '); do
    history="$history{\"created\":\"1970-01-01T00:00:00Z\",\"created_by\":\"(layers of busybox:latest)\"},"
done
history="$history{\"created\":\"1970-01-01T00:00:00Z\",\"created_by\":\"COPY hello.txt / # berth lab\"}"

config="{\"architecture\":\"${arch:-amd64}\",\"config\":{\"Cmd\":[\"cat\",\"/hello.txt\"],\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"]},\"created\":\"1970-01-01T00:00:00Z\",\"history\":[$history],\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[$base_diffs,\"sha256:$diff\"]}}"
printf '%s' "$config" > "$work/config.json"
config_id=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/new/$config_id.json"

printf '[{"Config":"%s.json","RepoTags":["berth-lab/hello:1"],"Layers":[%s,"%s/layer.tar"]}]' \
    "$config_id" "$base_layers" "$diff" > "$work/new/manifest.json"

rm -f "$out"
(cd "$work/new" && tar -cf "$out" manifest.json $(ls | grep -v '^manifest.json$'))
echo "wrote $out: berth-lab/hello:1 = busybox's layers + sha256:$(printf '%s' "$diff" | cut -c1-12)"
