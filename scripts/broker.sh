#!/usr/bin/env bash
# A private RabbitMQ node on loopback, configured from the environment alone, for tests and
# benchmarks. Several nodes can run side by side, one per port.
#
#   scripts/broker.sh start   [port] [name]   start the node (or reuse whatever answers on port)
#   scripts/broker.sh stop    [port] [name]   stop the node this script started; keeps its data
#   scripts/broker.sh restart [port] [name]   stop, then start again with the same data
#   scripts/broker.sh status  [port] [name]   exit 0 and print "running" if the port answers
#   scripts/broker.sh clean   [port] [name]   stop, then delete the node's data and logs
#
# port defaults to 5672, name to candystore-<port>; the node is <name>@localhost. On success,
# start prints the AMQP URL (amqp://guest:guest@127.0.0.1:<port>/) on standard output; progress
# goes to standard error. Data lives in $CANDYSTORE_BROKER_BASE/<name> (default
# /tmp/candystore-rabbitmq/<name>), owned by the rabbitmq user. The Erlang distribution port is
# RABBITMQ_DIST_PORT if set, else port + 20000 (so ports above 25000 need RABBITMQ_DIST_PORT).
# Must run as root (rabbitmq-server then switches to the rabbitmq user) or as rabbitmq.
set -euo pipefail

command=${1:-status}
port=${2:-5672}
name=${3:-candystore-$port}
node="$name@localhost"
base_root=${CANDYSTORE_BROKER_BASE:-/tmp/candystore-rabbitmq}
base="$base_root/$name"
url="amqp://guest:guest@127.0.0.1:$port/"
startup_deadline_seconds=60

log() { echo "broker.sh: $*" >&2; }

if ! [[ $port =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
    log "port must be a number between 1 and 65535, got '$port'"
    exit 2
fi
dist_port=${RABBITMQ_DIST_PORT:-$((port + 20000))}
if ((dist_port + 10010 > 65535)); then
    log "distribution port $dist_port leaves no room for the CLI ports above it;"
    log "choose a port of at most 25000 or set RABBITMQ_DIST_PORT"
    exit 2
fi

# Every setting the node and rabbitmqctl need, so that nothing comes from /etc/rabbitmq.
export RABBITMQ_NODENAME="$node"
export RABBITMQ_NODE_PORT="$port"
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_DIST_PORT="$dist_port"
export RABBITMQ_CTL_DIST_PORT_MIN=$((dist_port + 10000))
export RABBITMQ_CTL_DIST_PORT_MAX=$((dist_port + 10010))
export RABBITMQ_MNESIA_BASE="$base/mnesia"
export RABBITMQ_LOG_BASE="$base/log"
export RABBITMQ_PID_FILE="$base/node.pid"
export RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins"
export RABBITMQ_CONFIG_FILE="$base/rabbitmq.conf"
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export ERL_EPMD_ADDRESS=127.0.0.1

# True when something accepts TCP connections on the port.
answers() {
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

node_pid() {
    [[ -f $RABBITMQ_PID_FILE ]] || return 1
    local pid
    pid=$(tr -dc '0-9' <"$RABBITMQ_PID_FILE")
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

ctl() {
    timeout 30 rabbitmqctl -n "$node" "$@"
}

prepare_directories() {
    mkdir -p "$RABBITMQ_MNESIA_BASE" "$RABBITMQ_LOG_BASE"
    echo '[].' >"$RABBITMQ_ENABLED_PLUGINS_FILE"
    # Small defaults for a test node; the limits keep a nearly full disk from blocking publishers.
    printf '%s\n' "disk_free_limit.absolute = 10MB" >"$RABBITMQ_CONFIG_FILE"
    if [[ $(id -u) == 0 ]]; then
        chown -R rabbitmq:rabbitmq "$base_root" "$base"
    fi
}

start() {
    if answers; then
        log "something already answers on 127.0.0.1:$port; reusing it"
        echo "$url"
        return 0
    fi
    prepare_directories
    log "starting $node on 127.0.0.1:$port (distribution $dist_port, data $base)"
    rabbitmq-server -detached >>"$base/start.out" 2>&1 || {
        log "rabbitmq-server failed to start; see $base/start.out and $RABBITMQ_LOG_BASE"
        exit 1
    }
    local deadline=$((SECONDS + startup_deadline_seconds))
    until ctl await_startup --timeout 10 >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then
            log "$node did not finish starting within ${startup_deadline_seconds}s; see $RABBITMQ_LOG_BASE"
            exit 1
        fi
        sleep 1
    done
    until answers; do
        if ((SECONDS >= deadline)); then
            log "$node started but 127.0.0.1:$port does not answer; see $RABBITMQ_LOG_BASE"
            exit 1
        fi
        sleep 0.2
    done
    log "$node is ready"
    echo "$url"
}

stop() {
    local pid
    if ! pid=$(node_pid); then
        log "$node is not running (no live pid in $RABBITMQ_PID_FILE)"
        return 0
    fi
    log "stopping $node (pid $pid)"
    ctl stop "$RABBITMQ_PID_FILE" >/dev/null 2>&1 || true
    local deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null; do
        if ((SECONDS >= deadline)); then
            log "$node did not stop within 30s; killing pid $pid"
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.2
    done
    rm -f "$RABBITMQ_PID_FILE"
    # epmd outlives the node; end it only when no node is left registered with it.
    if command -v epmd >/dev/null && ! epmd -names 2>/dev/null | grep -q '^name '; then
        epmd -kill >/dev/null 2>&1 || true
    fi
    log "$node stopped"
}

case $command in
start) start ;;
stop) stop ;;
restart)
    stop
    start
    ;;
status)
    if answers; then
        echo running
    else
        echo stopped
        exit 1
    fi
    ;;
clean)
    stop
    rm -rf "$base"
    log "removed $base"
    ;;
*)
    log "unknown command '$command' (use start, stop, restart, status or clean)"
    exit 2
    ;;
esac
