#!/bin/bash
# One silo, warmed up, then measured: a first load (WARM posts, default 100,000) brings the JIT to its last tier and the
# file to a working size, then a second load of N posts on the same silo is measured end to end.
#   bench/stages/warm.sh <silo build dir> <load generator build dir> <posts> [-- silo args...]
# Prints the load generator's figures for the measured load, the bytes the silo wrote per post (wchar from
# /proc/<pid>/io: WAL frames and checkpoint copies), its CPU-seconds (utime + stime), posts per CPU-second and the CPU
# of the SQLite writer thread, and the silo's peak resident memory (VmHWM). With STATES=1 it also samples the writer thread's state every 10 ms for 15 s (R running
# or runnable, D waiting for the disk, S waiting for work): mostly R and D means the writer is the bottleneck.
# Batch 1,000, 4 connections, 10,000 accounts. Corpus: ../shared/data/benign/clue_corpus_small_sampled.txt.
set -euo pipefail
SILO=$1; LG=$2; N=$3; shift $(( $# >= 3 ? 3 : $# ))
[ "${1:-}" = "--" ] && shift
. "$(dirname "$0")/silo.sh"
load() {
  dotnet "$LG/Cluster.LoadGen.dll" --url http://127.0.0.1:$PORT --admin-token-file "$D/admin.token" --posts "$1" --batch 1000 \
    --connections 4 --accounts 10000 --corpus "$CORPUS"
}
load "${WARM:-100000}" > "$D/warm.out"
sleep 2
WT=$(writer_task)
C0=$(ticks); W0=$(awk '{print $14 + $15}' "$WT/stat"); B0=$(awk '/^wchar/ {print $2}' /proc/$PID/io)
load "$N" > "$D/lg.out" &
LGPID=$!
if [ -n "${STATES:-}" ]; then
  sleep 5
  for _ in $(seq 1 1500); do awk '{print $3}' "$WT/stat"; sleep 0.01; done | sort | uniq -c | awk '{printf "writer %s: %d samples\n", $2, $1}'
fi
wait $LGPID
C1=$(ticks); W1=$(awk '{print $14 + $15}' "$WT/stat"); B1=$(awk '/^wchar/ {print $2}' /proc/$PID/io)
HZ=$(getconf CLK_TCK)
tail -3 "$D/lg.out"
awk -v n="$N" -v c=$((C1 - C0)) -v w=$((W1 - W0)) -v b=$((B1 - B0)) -v hz="$HZ" 'BEGIN {
  printf "written per post: %.1f KB; silo CPU-s: %.2f; posts per CPU-s: %.0f; writer CPU-s: %.2f\n", b / n / 1000, c / hz, n / (c / hz), w / hz }'
grep VmHWM /proc/$PID/status
