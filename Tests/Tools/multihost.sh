#!/usr/bin/env bash
# Several hosts on one machine: the coordinator and each worker in a network namespace of its own, each worker
# joined to the coordinator's by a veth pair on addresses that exist only inside these namespaces, so weights and
# gradients cross a network (no shared memory). Mid-run one fault is inflicted:
#
#   cut      the second worker's link goes down (needs 2 workers or more)
#   kill     the first worker gets SIGKILL mid-step and is started again half a second later
#   join     one more worker, on a host of its own, joins
#   restart  the coordinator gets SIGKILL after the first epoch's checkpoint and is started again on its store
#
# With MULTIHOST_REDUCTION=sharded every worker takes part in the sharded reduction (`--peer-listen` on its own
# address; the coordinator's namespace routes between the workers' links), else the coordinator reduces (star).
# Prints the run's result JSON on the last line.
#
#   [MULTIHOST_REDUCTION=sharded] Tests/Tools/multihost.sh DISTEMBED SPEC FAULT WORKERS [--set k=v ...]
# Exit 77 (skip) when namespaces cannot be made here.
set -euo pipefail
bin=$1; spec=$2; fault=$3; workers=$4; shift 4
case "$fault" in cut|kill|join|restart) ;; *) echo "multihost: unknown fault $fault" >&2; exit 64 ;; esac
tag="de$$"
hosts=$workers
[ "$fault" = join ] && hosts=$((workers + 1))
c="$tag-c"
dir=$(mktemp -d)

cleanup() {
  disown -a 2>/dev/null || true
  for ns in "$c" $(seq -f "$tag-w%g" 1 "$hosts"); do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$dir"
}
trap cleanup EXIT

if ! ip netns add "$c" 2>/dev/null; then
  echo "multihost: cannot create network namespaces here (needs root and iproute2)" >&2
  exit 77
fi
ip -n "$c" link set lo up
listen=(--listen tcp://127.0.0.1:5555)
for i in $(seq 1 "$hosts"); do
  w="$tag-w$i"
  ip netns add "$w"
  ip link add "$tag-c$i" type veth peer name "$w"
  ip link set "$tag-c$i" netns "$c"
  ip link set "$w" netns "$w"
  ip -n "$c" addr add "10.77.$i.1/24" dev "$tag-c$i"; ip -n "$c" link set "$tag-c$i" up
  ip -n "$w" addr add "10.77.$i.2/24" dev "$w"; ip -n "$w" link set "$w" up
  ip -n "$w" link set lo up
  ip -n "$w" route add 10.77.0.0/16 via "10.77.$i.1"
  listen+=(--listen "tcp://10.77.$i.1:5555")
done

# Route between the workers' links (the sharded reduction's peer traffic); /proc, not sysctl(8), which may be missing.
ip netns exec "$c" sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'
reduction=${MULTIHOST_REDUCTION:-star}
# Starts the coordinator and waits (at most a minute) until it listens: on a loaded machine it can take seconds.
coordinator() {
  rm -f "$dir/ready"
  ip netns exec "$c" "$bin" coordinator "${listen[@]}" --store "$dir/store" --heartbeat-interval 0.2 \
    --heartbeat-timeout 2 --result-timeout 3 --insecure --reduction "$reduction" --ready-file "$dir/ready" >> "$dir/coordinator.log" 2>&1 &
  coordinator_pid=$!
  for _ in $(seq 1 1200); do
    [ -s "$dir/ready" ] && return
    kill -0 "$coordinator_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "multihost: the coordinator did not start:" >&2
  cat "$dir/coordinator.log" >&2
  exit 1
}
# Network namespaces still share /dev/shm, separate hosts do not: --no-shared-memory keeps every tensor on the
# network (and a cut link cut).
worker() {
  local peers=()
  [ "$reduction" = sharded ] && peers=(--peer-listen "tcp://10.77.$1.2:7001")
  ip netns exec "$tag-w$1" "$bin" worker --connect "tcp://10.77.$1.1:5555" --name "w$1" --no-shared-memory \
    --coordinator-timeout 2 "${peers[@]}" >> "$dir/w$1.log" 2>&1 &
  worker_pid[$1]=$!
}
declare -a worker_pid
coordinator
for i in $(seq 1 "$workers"); do worker "$i"; done

client() { ip netns exec "$c" "$bin" "$@" --coordinator tcp://127.0.0.1:5555; }
id=$(client submit "$spec" --min-workers "$workers" --json "$@" | tail -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["experimentId"])')
status() { client status "$id" --json 2>/dev/null | tail -1 | python3 -c "import json,sys; s=json.load(sys.stdin); print($1)" 2>/dev/null || echo "${2:-}"; }
progress() { status 's["epoch"]*s["stepsPerEpoch"]+s["step"]' -1; }
wait_for_step() {
  for _ in $(seq 1 1200); do
    [ "$(progress)" -ge "$1" ] && return
    sleep 0.05
  done
}
case "$fault" in
cut)
  wait_for_step 40
  ip -n "$tag-w2" link set "$tag-w2" down
  echo "multihost: cut w2's link at step $(progress)" >&2 ;;
kill)
  wait_for_step 40
  kill -9 "${worker_pid[1]}"
  echo "multihost: killed w1 at step $(progress)" >&2
  sleep 0.5
  worker 1 ;;
join)
  wait_for_step 40
  worker "$hosts"
  echo "multihost: w$hosts joins at step $(progress)" >&2 ;;
restart)
  per_epoch=$(status 's["stepsPerEpoch"]' 63)
  wait_for_step $((per_epoch + 20))
  kill -9 "$coordinator_pid"
  echo "multihost: killed the coordinator at step $(progress)" >&2
  wait "$coordinator_pid" 2>/dev/null || true
  coordinator ;;
esac
for _ in $(seq 1 1200); do
  state=$(status 's["state"]')
  [ "$state" = done ] || [ "$state" = failed ] || [ "$state" = cancelled ] && break
  sleep 0.1
done
grep -E "worker dropped|worker left|worker joined|resum|sharded group" "$dir/coordinator.log" >&2 || true
client results "$id" --json | tail -1
