#!/bin/bash
# Cluster mode under load: N silos on one throwaway PostgreSQL on this machine, the load generator spread over them.
#   bench/cluster/run.sh <silo build dir> <load generator build dir> <silos> <posts> [batch] [-- extra silo args...]
# Starts PostgreSQL from the Debian package's binaries (initdb in a temporary directory, fsync on, synchronous
# commit on: the 202 promise), starts the silos on ports 5201.. / 11201.. / 30201.., runs the load generator with
# 4 connections per silo round-robin over them (the feed read from the first silo), then prints the load generator's
# figures and the CPU-seconds per 1,000 posts of each silo and of PostgreSQL (the postmaster, its live backends and
# the ones that exited, from /proc). Corpus: ../shared/data/benign/clue_corpus_small_sampled.txt.
set -euo pipefail
SILO=$1; LG=$2; SILOS=$3; N=$4; BATCH=${5:-1000}; shift $(( $# >= 5 ? 5 : $# ))
[ "${1:-}" = "--" ] && shift
HERE=$(cd "$(dirname "$0")/../.." && pwd)
CORPUS=$HERE/../shared/data/benign/clue_corpus_small_sampled.txt
BIN=${POSTGRES_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
D=$(mktemp -d); PGPORT=${PGPORT:-55432}; TOKEN=adm_cluster-bench
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$D"
as_pg "$BIN/initdb" -D "$D/pg" -U postgres -A trust -E UTF8 --locale=C >/dev/null
as_pg "$BIN/pg_ctl" -D "$D/pg" -l "$D/pg.log" -w -o "-c listen_addresses=127.0.0.1 -c port=$PGPORT -c unix_socket_directories=$D \
  -c max_connections=400 -c shared_buffers=512MB -c fsync=on -c synchronous_commit=on -c max_wal_size=4GB" start >/dev/null
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  as_pg "$BIN/pg_ctl" -D "$D/pg" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$D"
}
trap cleanup EXIT
PSQL="$BIN/psql -h 127.0.0.1 -p $PGPORT -U postgres -qAt"
$PSQL -c "CREATE DATABASE screening" postgres
CS="Host=127.0.0.1;Port=$PGPORT;Database=screening;Username=postgres;Maximum Pool Size=100"
URLS=""
for i in $(seq 1 "$SILOS"); do
  mkdir -p "$D/s$i"
  dotnet "$SILO/Cluster.Silo.dll" --urls "http://127.0.0.1:520$i" --Silo:DataDir="$D/s$i" --Silo:Name="silo-$i" \
    --ConnectionStrings:Cluster="$CS" --Orleans:AdvertisedAddress=127.0.0.1 --Orleans:SiloPort="1120$i" \
    --Orleans:GatewayPort="3020$i" --Auth:AdminToken="$TOKEN" "$@" > "$D/s$i.log" 2>&1 &
  PIDS+=($!)
  URLS="$URLS${URLS:+,}http://127.0.0.1:520$i"
done
for i in $(seq 1 "$SILOS"); do
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:520$i/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
done
sleep 3 # queue leases settle over the silos
POSTMASTER=$(head -1 "$D/pg/postmaster.pid")
silo_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
pg_ticks() {
  local sum; sum=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$POSTMASTER/stat")
  for c in $(pgrep -P "$POSTMASTER"); do sum=$((sum + $(awk '{print $14 + $15}' "/proc/$c/stat" 2>/dev/null || echo 0))); done
  echo "$sum"
}
declare -a S0; for i in "${!PIDS[@]}"; do S0[$i]=$(silo_ticks "${PIDS[$i]}"); done; P0=$(pg_ticks)
dotnet "$LG/Cluster.LoadGen.dll" --url "$URLS" --admin-token "$TOKEN" --posts "$N" --batch "$BATCH" \
  --connections $((4 * SILOS)) --accounts 10000 --corpus "$CORPUS"
HZ=$(getconf CLK_TCK); P1=$(pg_ticks)
for i in "${!PIDS[@]}"; do
  awk -v n="$N" -v c=$(( $(silo_ticks "${PIDS[$i]}") - S0[$i] )) -v hz="$HZ" -v s=$((i + 1)) \
    'BEGIN { printf "silo %d: %.1f CPU-s, %.2f CPU-s per 1,000 posts\n", s, c / hz, c / hz / n * 1000 }'
done
awk -v n="$N" -v c=$((P1 - P0)) -v hz="$HZ" 'BEGIN { printf "postgres: %.1f CPU-s, %.2f CPU-s per 1,000 posts\n", c / hz, c / hz / n * 1000 }'
