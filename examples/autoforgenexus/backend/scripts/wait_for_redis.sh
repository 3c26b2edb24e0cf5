#!/usr/bin/env bash
# Wait until Redis accepts TCP connections, then run the given command (if any).
#
#   scripts/wait_for_redis.sh                       # uses REDIS_HOST / REDIS_PORT
#   scripts/wait_for_redis.sh -- pytest -m redis    # wait, then run a command
#
# Development and CI helper only: scripts/ is not copied into the production image.
set -euo pipefail

host="${REDIS_HOST:-localhost}"
port="${REDIS_PORT:-6379}"
timeout="${WAIT_TIMEOUT:-30}"

deadline=$((SECONDS + timeout))
until (exec 3<>"/dev/tcp/${host}/${port}") 2>/dev/null; do
  if ((SECONDS >= deadline)); then
    echo "wait_for_redis: ${host}:${port} not reachable after ${timeout}s" >&2
    exit 1
  fi
  sleep 1
done
echo "wait_for_redis: ${host}:${port} is up" >&2

if [[ "${1:-}" == "--" ]]; then
  shift
fi
if (($# > 0)); then
  exec "$@"
fi
