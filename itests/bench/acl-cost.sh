#!/usr/bin/env bash
# What the password file and a large ACL cost on the publish path (issue 7), measured, not asserted:
# QoS 0, mosquitto_pub -l -> mosquitto_sub through the real distribution, without security and
# with a password file plus an ACL of 20,001 rules, rounds interleaved. Prints msg/s end to end.
#   itests/bench/acl-cost.sh [distribution.tar.gz]      (N=messages, ROUNDS=rounds)
set -euo pipefail
DIST=${1:-distribution/target/meridian-0.1.0-SNAPSHOT.tar.gz}
N=${N:-200000}
ROUNDS=${ROUNDS:-3}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

round() { # $1: plain | secured
    local dir port pid auth=() start end
    dir=$(mktemp -d)
    tar xzf "$DIST" --strip-components=1 -C "$dir"
    port=$(free_port)
    printf 'name = default\nhost = 127.0.0.1\nport = %s\nkind = mqtt\n' "$port" > "$dir/etc/io.meridianmq.listener-default.cfg"
    sed -i "s/sshPort = 8101/sshPort = $(free_port)/" "$dir/etc/org.apache.karaf.shell.cfg"
    if [ "$1" = secured ]; then
        mosquitto_passwd -b -c "$dir/etc/passwd" bench secret 2>/dev/null
        { printf 'user bench\ntopic readwrite bench/#\n'
          for i in $(seq 1 10000); do printf 'user u%s\ntopic readwrite t/%s/#\n' "$i" "$i"; done
          printf 'pattern read inbox/%%u/#\n'; } > "$dir/etc/acl"
        printf 'password_file = etc/passwd\n' > "$dir/etc/io.meridianmq.auth.file.cfg"
        printf 'acl_file = etc/acl\n' > "$dir/etc/io.meridianmq.authz.acl.cfg"
        printf 'allow_anonymous = false\n' > "$dir/etc/io.meridianmq.broker.cfg"
        auth=(-u bench -P secret)
    fi
    "$dir/bin/meridian" > "$dir/out.log" 2>&1 < /dev/null &
    pid=$!
    until grep -q "listening for MQTT on 127.0.0.1:$port" "$dir/out.log"; do sleep 0.2; done
    if [ "$1" = secured ]; then until grep -q "ACL rule(s) loaded" "$dir/out.log"; do sleep 0.2; done; fi
    mosquitto_sub -h 127.0.0.1 -p "$port" "${auth[@]}" -i bench-sub -t bench/t -C "$N" -W 300 > /dev/null &
    local sub=$!
    until grep -q "Client 'bench-sub'" "$dir/out.log"; do sleep 0.1; done
    sleep 0.5 # SUBACK on its way; the first messages must not race the subscription
    start=$(date +%s.%N)
    seq 1 "$N" | mosquitto_pub -h 127.0.0.1 -p "$port" "${auth[@]}" -i bench-pub -t bench/t -l
    if ! wait "$sub"; then echo "$1: not all $N messages arrived (a broker that loses messages gets no figure)"; fi
    end=$(date +%s.%N)
    python3 -c "print(f'{\"$1\":8s} {$N / ($end - $start):10,.0f} msg/s')"
    pkill -TERM -P "$pid" 2>/dev/null || true; kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
    rm -rf "$dir"
}

for r in $(seq 1 "$ROUNDS"); do round plain; round secured; done
