#!/usr/bin/env bash
# Makes sure a RabbitMQ broker answers at the host and port of an AMQP URL; if none does and the
# host is this machine, starts a local one on loopback with scripts/broker.sh.
set -euo pipefail

url=${1:-amqp://guest:guest@localhost:5672/}
authority=${url#*://}
authority=${authority#*@}
authority=${authority%%/*}
host=${authority%%:*}
port=5672
if [[ $authority == *:* ]]; then port=${authority##*:}; fi

if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
    echo "ensure-broker: a broker answers at $host:$port" >&2
    exit 0
fi
case $host in
    localhost | 127.0.0.1 | ::1) ;;
    *)
        echo "ensure-broker: nothing answers at $host:$port and it is not this machine; start the broker there" >&2
        exit 1
        ;;
esac
echo "ensure-broker: no broker at $host:$port; starting a local one on loopback" >&2
exec "$(dirname "$0")/broker.sh" start "$port" candystore
