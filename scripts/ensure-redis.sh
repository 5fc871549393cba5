#!/usr/bin/env bash
# Tests of single-node mode need a Redis 7 (default 127.0.0.1:6379, or TEST_REDIS_URL).
# Use the one that is running; otherwise start a throwaway one (installing Debian's package if needed).
set -euo pipefail
URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379}"
HOSTPORT="${URL#redis://}"; HOSTPORT="${HOSTPORT%%/*}"; HOSTPORT="${HOSTPORT##*@}"
HOST="${HOSTPORT%%:*}"; PORT="${HOSTPORT##*:}"
ping() { node -e "
  const s = require('net').connect(${PORT}, '${HOST}', () => s.write('PING\r\n'));
  s.on('data', d => process.exit(String(d).startsWith('+PONG') ? 0 : 1));
  s.on('error', () => process.exit(1)); setTimeout(() => process.exit(1), 1000);"; }
if ping; then exit 0; fi
if ! command -v redis-server >/dev/null; then
  echo "No Redis answers at $HOST:$PORT: installing Debian's redis-server…"
  SUDO=""; [ "$(id -u)" != "0" ] && SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
fi
echo "Starting a Redis for the tests on $HOST:$PORT (no persistence)…"
redis-server --daemonize yes --bind "$HOST" --port "$PORT" --save "" --appendonly no
for _ in $(seq 1 50); do ping && exit 0; sleep 0.1; done
echo "error: Redis did not start on $HOST:$PORT" >&2
exit 1
