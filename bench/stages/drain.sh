#!/bin/bash
# CPU of one silo while it takes N posts from the load generator and delivers all of them.
#   bench/stages/drain.sh <silo build dir> <load generator build dir> <posts> [batch] [-- silo args...]
# Prints the wall time, the silo's CPU-seconds (utime + stime from /proc), posts per CPU-second and the CPU of the
# SQLite writer thread. It stops when every post is accepted and the posts stream backlog is empty (with
# ACCEPT_ONLY=1: when every post is accepted), so it does not need the decisions feed (the ablated builds of
# ablation.patch write no decisions). Corpus: ../shared/data/benign/clue_corpus_small_sampled.txt.
set -euo pipefail
SILO=$1; LG=$2; N=$3; BATCH=${4:-1000}; shift $(( $# >= 4 ? 4 : $# ))
[ "${1:-}" = "--" ] && shift
. "$(dirname "$0")/silo.sh"
sleep 1
writer() { awk '{print $14 + $15}' "$(writer_task)/stat"; }
metric() { curl -s --max-time 5 -H "Authorization: Bearer $(cat "$D/admin.token")" http://127.0.0.1:$PORT/metrics | awk -v m="$1" '$1 == m {print $2}'; }
C0=$(ticks); W0=$(writer); T0=$(date +%s.%N)
dotnet "$LG/Cluster.LoadGen.dll" --url http://127.0.0.1:$PORT --admin-token-file "$D/admin.token" --posts "$N" --batch "$BATCH" \
  --connections 4 --accounts 10000 --corpus "$CORPUS" > "$D/lg.out" 2>&1 &
LGPID=$!
while sleep 0.5; do
  A=$(metric cluster_posts_accepted_total); L=$(metric cluster_inbox_lag_total)
  if [ "${A:-0}" -ge "$N" ] && { [ -n "${ACCEPT_ONLY:-}" ] || [ "${L:-1}" = "0" ]; }; then break; fi
done
T1=$(date +%s.%N); C1=$(ticks); W1=$(writer)
kill $LGPID 2>/dev/null || true
HZ=$(getconf CLK_TCK)
awk -v n="$N" -v c=$((C1 - C0)) -v w=$((W1 - W0)) -v hz="$HZ" -v t0="$T0" -v t1="$T1" 'BEGIN {
  printf "wall %.1f s, silo CPU %.2f s, %.0f posts per CPU-second, %.1f us CPU per post, writer thread %.1f us per post\n",
    t1 - t0, c / hz, n / (c / hz), c / hz / n * 1e6, w / hz / n * 1e6 }'
