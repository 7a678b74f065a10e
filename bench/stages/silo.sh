# Sourced by drain.sh and warm.sh after they set SILO (a silo build dir) and shifted their own arguments: starts one
# embedded silo on a fresh data directory $D, port $PORT (default 5199), with the remaining arguments, waits until it
# is ready, and stops it and removes $D on exit. Defines CORPUS, PID, ticks (the silo's utime + stime) and writer_task
# (the /proc task directory of its SQLite writer thread).
HERE=$(cd "$(dirname "$0")/../.." && pwd)
CORPUS=$HERE/../shared/data/benign/clue_corpus_small_sampled.txt
D=$(mktemp -d); PORT=${PORT:-5199}
dotnet "$SILO/Cluster.Silo.dll" --urls http://127.0.0.1:$PORT --Silo:DataDir="$D" "$@" > "$D/silo.log" 2>&1 &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$D"' EXIT
for _ in $(seq 1 150); do curl -sf http://127.0.0.1:$PORT/readyz >/dev/null 2>&1 && break; sleep 0.2; done
ticks() { awk '{print $14 + $15}' /proc/$PID/stat; }
writer_task() { for t in /proc/$PID/task/*; do if [ "$(cat "$t/comm")" = "sqlite-writer" ]; then echo "$t"; fi; done; }
