#!/bin/bash
# Records the golden transcripts: each chapter's solution typed into the real lab under tmux,
# on a fresh state root, into Transcripts/NN-name.cast. `make transcripts` runs it.
#   Transcripts/record.sh [BERTH] [CHAPTER...]    (default: .build/debug/berth, every chapter)
# Each chapter's keys are below: `C line` types a line at the lab prompt and waits for the next
# prompt, `T text` types a line (inside a container), `K keys` sends tmux key names, `W text` waits
# until text is on the screen, `A text` until it appears once more than before the last key,
# `S n` sleeps n seconds. A chapter is recorded to a temporary file and moved into Transcripts/ only
# when the lab exited 0, the chain is intact and every step passed: a failed run leaves the old
# golden file as it was.
set -u
cd "$(dirname "$0")/.."
BERTH=$(readlink -f "${1:-.build/debug/berth}"); shift || true
CHAPTERS=("$@"); [ ${#CHAPTERS[@]} -eq 0 ] && CHAPTERS=(01-images 02-containers 03-binding 04-apache 05-storage 06-dockerfile)

keys_01-images() { cat <<'K'
W [1/images 1/7] $
C docker pull busybox
W [1/images 2/7] $
C docker pull debian:12
W [1/images 3/7] $
C docker images
W [1/images 4/7] $
C docker tag busybox mybox
C docker tag busybox mybox:v1
C docker images mybox
W [1/images 5/7] $
C docker inspect busybox
W [1/images 6/7] $
C docker history debian:12
W [1/images 7/7] $
C docker rmi mybox:v1 mybox
W [1/images done] $
T :quit
K
}

keys_02-containers() { cat <<'K'
W [2/containers 1/16] $
T docker run -i -t busybox
A / #
T ls
A / #
T hostname
A / #
T ps
A / #
C exit
W [2/containers 2/16] $
C docker ps
C docker ps -a
W [2/containers 3/16] $
C docker create -i -t --name mybox busybox
C docker start mybox
W [2/containers 4/16] $
T docker attach mybox
S 2
T touch /tmp/attached
A / #
S 1
K C-p
K C-q
W [2/containers 5/16] $
C docker rename mybox box1
W [2/containers 6/16] $
C docker inspect box1
W [2/containers 7/16] $
C docker exec box1 touch /tmp/exec.txt
W [2/containers 8/16] $
C docker run -d --name counter busybox sh -c 'i=0; while true; do i=$((i+1)); echo tick $i; sleep 1; done'
S 2
C docker logs counter
W [2/containers 9/16] $
C echo 'hello from the host' > $LAB/note.txt
C docker cp $LAB/note.txt box1:/tmp/note.txt
C docker cp box1:/etc/hostname $LAB/box1-hostname
W [2/containers 10/16] $
C docker stop box1
C docker rm box1
W [2/containers 11/16] $
C docker rm -f counter
W [2/containers 12/16] $
C docker stop $(docker ps -a -q)
C docker rm $(docker ps -a -q)
W [2/containers 13/16] $
C docker container prune -f
W [2/containers 14/16] $
C docker run -d --rm --name temp busybox sleep 600
W [2/containers 15/16] $
C docker stop temp
C docker ps -a
W [2/containers 16/16] $
C docker ps --format "table {{.ID}}\t{{.Status}}\t{{.Image}}"
W [2/containers done] $
T :quit
K
}

keys_03-binding() { cat <<'K'
W [3/binding 1/6] $
C docker run -d -i -t --name net1 busybox
C docker exec net1 ip addr
W [3/binding 2/6] $
C docker inspect -f '{{.NetworkSettings.IPAddress}}' net1
W [3/binding 3/6] $
C docker run -d --name web1 -p 8080:80 busybox httpd -f -p 80 -h /etc
S 1
C curl localhost:8080/hostname
W [3/binding 4/6] $
C docker run -d --name web2 -p 127.0.0.1:8081:80 busybox httpd -f -p 80 -h /etc
S 1
C curl 127.0.0.1:8081/hostname
W [3/binding 5/6] $
C docker run -d --name multi -p 3306:3306 -p 8082:80 busybox httpd -f -p 80 -h /etc
W [3/binding 6/6] $
C docker run -d --name rnd -p 80 busybox httpd -f -p 80 -h /etc
C docker port rnd
W [3/binding done] $
T :quit
K
}

keys_04-apache() { cat <<'K'
W [4/apache 1/5] $
T docker run -i -t --name apache -p 8080:80 debian:12
A root@
T apt-get update
W Reading package lists... Done
A root@
T apt-get install apache2 -y
W Setting up apache2
A root@
T service apache2 start
A root@
S 2
K C-p
K C-q
W [4/apache 5/5] $
C curl localhost:8080
W [4/apache done] $
T :quit
K
}

keys_05-storage() { cat <<'K'
W [5/storage 1/9] $
C docker info
W [5/storage 2/9] $
C ls $BERTH_ROOT
W [5/storage 3/9] $
C du -sh $BERTH_ROOT/image $BERTH_ROOT/overlay2 $BERTH_ROOT/containers
W [5/storage 4/9] $
C docker run -d --name scratch busybox sleep 3600
C docker exec scratch sh -c 'echo hello > /hello.txt'
W [5/storage 5/9] $
C docker inspect -f '{{.GraphDriver.Data.UpperDir}}' scratch
C ls -l $(docker inspect -f '{{.GraphDriver.Data.UpperDir}}' scratch)
W [5/storage 6/9] $
C docker run --rm busybox ls /hello.txt
W [5/storage 7/9] $
C docker load -i $LAB/hello.tar
C docker history berth-lab/hello:1
W [5/storage 8/9] $
C docker rm -f scratch
C docker rmi busybox
W [5/storage 9/9] $
C docker pull busybox
C docker images
W [5/storage done] $
T :quit
K
}

keys_06-dockerfile() { cat <<'K'
W [6/dockerfile 1/11] $
C cat $LAB/tomcat/Dockerfile
C echo 'EXPOSE 8080' >> $LAB/tomcat/Dockerfile
C echo 'CMD ["/usr/share/tomcat10/bin/catalina.sh", "run"]' >> $LAB/tomcat/Dockerfile
W [6/dockerfile 2/11] $
C docker build -t tomcat:local $LAB/tomcat
W [6/dockerfile 3/11] $
C docker history tomcat:local
W [6/dockerfile 4/11] $
C docker run -d --name tc -p 8080:8080 tomcat:local
C curl -s --retry 15 --retry-all-errors --retry-delay 1 localhost:8080/ | grep 'It works'
W [6/dockerfile 5/11] $
T docker exec -it tc bash
A :/var/lib/tomcat10#
T /usr/share/tomcat10/bin/version.sh
A :/var/lib/tomcat10#
C exit
W [6/dockerfile 6/11] $
C docker logs tc
W [6/dockerfile 7/11] $
C docker cp $LAB/tomcat/hello.html tc:/var/lib/tomcat10/webapps/ROOT/hello.html
C curl -s localhost:8080/hello.html
W [6/dockerfile 8/11] $
C docker cp tc:/etc/tomcat10/server.xml $LAB/server.xml
W [6/dockerfile 9/11] $
C docker rm -f tc
W [6/dockerfile 10/11] $
C docker run -d -p 8080:8080 --rm --name tc tomcat:local
W [6/dockerfile 11/11] $
C docker stop tc
C docker ps -a
W [6/dockerfile done] $
T :quit
K
}

record() {
    local chapter=$1 out="Transcripts/$1.cast" base sock tmp
    base=$(mktemp -d /tmp/bgold-XXXXXX)
    sock=berth-golden-$$-$chapter
    tmp=$base/gold/$chapter.cast
    mkdir -p "$base/root" "$base/run" "$base/state" "$base/gold"
    # A long history: `C` counts prompts in it, and apt-get's output would push them out of 2000 lines.
    tmux -L "$sock" start-server \; set-option -g history-limit 500000 \; new-session -d -s lab -x 100 -y 30 \
        "env BERTH_ROOT=$base/root BERTH_RUN=$base/run XDG_STATE_HOME=$base/state BERTH_LESSONS=$PWD/Lessons TERM=xterm-256color USER=golden \
         $BERTH lab open $chapter --lang en --learner golden --record $tmp; echo \$? > $base/rc; sleep 5"
    local snapshot="" ok=1
    while IFS= read -r l; do
        local c=${l:0:1} a=${l:2}
        case $c in
            C) snapshot=$(tmux -L "$sock" capture-pane -p -J -t lab -S -)
               tmux -L "$sock" send-keys -t lab -l -- "$a"; tmux -L "$sock" send-keys -t lab Enter
               local n i
               n=$(grep -cF -- '] $' <<<"$snapshot")
               for i in $(seq 1 1200); do
                   [ "$(tmux -L "$sock" capture-pane -p -J -t lab -S - | grep -cF -- '] $')" -gt "$n" ] && break
                   sleep 0.25
               done ;;
            T) snapshot=$(tmux -L "$sock" capture-pane -p -J -t lab -S -); tmux -L "$sock" send-keys -t lab -l -- "$a"; tmux -L "$sock" send-keys -t lab Enter ;;
            K) snapshot=$(tmux -L "$sock" capture-pane -p -J -t lab -S -); tmux -L "$sock" send-keys -t lab $a ;;
            S) sleep "$a" ;;
            W|A) local before=0 i found=0
               [ "$c" = A ] && before=$(grep -cF -- "$a" <<<"$snapshot")
               for i in $(seq 1 1200); do   # 10 minutes: apt-get in chapter 4 is slow
                   [ "$(tmux -L "$sock" capture-pane -p -J -t lab -S - | grep -cF -- "$a")" -gt "$before" ] && { found=1; break; }
                   sleep 0.5
               done
               if [ $found = 0 ]; then
                   echo "$chapter: timed out waiting for: $a" >&2
                   tmux -L "$sock" capture-pane -p -J -t lab | tail -15 >&2
                   ok=0; break
               fi ;;
        esac
    done < <("keys_$chapter")
    for i in $(seq 1 40); do [ -f "$base/rc" ] && break; sleep 0.5; done
    tmux -L "$sock" kill-server 2>/dev/null
    # Containers the chapter left running: remove them with the root.
    ids=$(ls "$base/root/containers" 2>/dev/null)
    [ -n "$ids" ] && BERTH_ROOT=$base/root BERTH_RUN=$base/run "$BERTH" rm -f $ids >/dev/null 2>&1
    BERTH_ROOT=$base/root BERTH_RUN=$base/run "$BERTH" network _destroy >/dev/null 2>&1
    local rc row
    rc=$(cat "$base/rc" 2>/dev/null)
    [ "$ok" = 1 ] && [ "$rc" != 0 ] && { echo "$chapter: the lab ${rc:+exited $rc}${rc:-did not exit}" >&2; ok=0; }
    if [ "$ok" = 1 ]; then
        # file,learner,chapter,steps_passed,steps_total,…,integrity (10th)
        row=$(BERTH_LESSONS=$PWD/Lessons "$BERTH" lab grade --csv "$base/gold" 2>/dev/null | sed -n 2p)
        IFS=, read -r _ _ _ passed total _ _ _ _ integrity _ <<<"$row"
        if [ "$integrity" != intact ] || [ -z "$passed" ] || [ "$passed" != "$total" ]; then
            echo "$chapter: the recording is not a complete, intact run: $row" >&2; ok=0
        fi
    fi
    # Copied next to the golden file, then renamed over it: never a partial golden file.
    if [ "$ok" = 1 ] && cp "$tmp" "$out.tmp" && chmod 644 "$out.tmp" && mv -f "$out.tmp" "$out"; then
        rm -rf "$base"; echo "recorded $out"
    else
        rm -f "$out.tmp"; rm -rf "$base"; echo "FAILED $out (left as it was)" >&2; return 1
    fi
}

status=0
for ch in "${CHAPTERS[@]}"; do record "$ch" || status=1; done
exit $status
