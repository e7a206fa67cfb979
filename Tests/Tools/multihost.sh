#!/usr/bin/env bash
# Several hosts on one machine: the coordinator and two workers in their own network namespaces, each worker
# joined to the coordinator's by a veth pair on addresses that exist only inside these namespaces. Mid-run the
# second worker's link is cut. Prints the run's result JSON on the last line.
#
#   Tests/Tools/multihost.sh DISTEMBED SPEC [--set k=v ...]
# Exit 77 (skip) when namespaces cannot be made here.
set -euo pipefail
bin=$1; spec=$2; shift 2
tag="de$$"
c="$tag-c"; w1="$tag-w1"; w2="$tag-w2"
dir=$(mktemp -d)

cleanup() {
  disown -a 2>/dev/null || true
  for ns in "$c" "$w1" "$w2"; do
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
ip netns add "$w1"; ip netns add "$w2"
for i in 1 2; do
  w="$tag-w$i"
  ip link add "$tag-c$i" type veth peer name "$tag-w$i"
  ip link set "$tag-c$i" netns "$c"
  ip link set "$tag-w$i" netns "$w"
  ip -n "$c" addr add "10.77.$i.1/24" dev "$tag-c$i"; ip -n "$c" link set "$tag-c$i" up
  ip -n "$w" addr add "10.77.$i.2/24" dev "$tag-w$i"; ip -n "$w" link set "$tag-w$i" up
done
for ns in "$c" "$w1" "$w2"; do ip -n "$ns" link set lo up; done

ip netns exec "$c" "$bin" coordinator --listen tcp://10.77.1.1:5555 --listen tcp://10.77.2.1:5555 \
  --listen tcp://127.0.0.1:5555 --store "$dir/store" --heartbeat-interval 0.2 --heartbeat-timeout 2 \
  --result-timeout 3 --insecure > "$dir/coordinator.log" 2>&1 &
sleep 1
# Network namespaces still share /dev/shm, separate hosts do not: without --no-shared-memory the workers would
# keep training through their segments' mailboxes with the link cut.
ip netns exec "$w1" "$bin" worker --connect tcp://10.77.1.1:5555 --name w1 --no-shared-memory > "$dir/w1.log" 2>&1 &
ip netns exec "$w2" "$bin" worker --connect tcp://10.77.2.1:5555 --name w2 --no-shared-memory > "$dir/w2.log" 2>&1 &

client() { ip netns exec "$c" "$bin" "$@" --coordinator tcp://127.0.0.1:5555; }
id=$(client submit "$spec" --min-workers 2 --json "$@" | tail -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["experimentId"])')
progress() { client status "$id" --json | tail -1 | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["epoch"]*s["stepsPerEpoch"]+s["step"])'; }
for _ in $(seq 1 600); do
  [ "$(progress)" -ge 40 ] && break
  sleep 0.05
done
ip -n "$w2" link set "$tag-w2" down
echo "multihost: cut w2's link at step $(progress)" >&2
for _ in $(seq 1 1200); do
  state=$(client status "$id" --json | tail -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
  [ "$state" = done ] || [ "$state" = failed ] && break
  sleep 0.1
done
grep -E "worker dropped|worker left" "$dir/coordinator.log" >&2 || true
client results "$id" --json | tail -1
