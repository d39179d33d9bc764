#!/usr/bin/env bash
# One 2 GiB loopback transfer with each side's wall and CPU time (user, system), for looking at one
# cell of bench/bulk.sh by hand (docs/BENCHMARKS.md, "Bulk transfer"). Needs bench/bulk.sh's source
# file (run it once). ENVX adds variables to both sides (ENVX="env DOTNET_TieredPGO=1").
#   bench/bulk-one.sh nc | bench/bulk-one.sh sock publish/sock | bench/bulk-one.sh null publish/sock
kind=$1; bin=${2:-}
src=${SRC:-/tmp/sock-bench-bulk/source-2048M.bin}
out=${OUT:-/tmp/sock-bench-bulk-one}; rm -rf $out; mkdir -p $out
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
case $kind in
 nc) R="nc -l 127.0.0.1 $port > $out/f.bin < /dev/null"; S="nc -N 127.0.0.1 $port < $src";;
 sock) R="$bin recv --listen $port -o $out"; S="$bin send $src 127.0.0.1:$port";;
 null) R="$bin recv --raw --listen $port"; S="$bin send --raw $src 127.0.0.1:$port";;   # bare bytes to /dev/null: no disk, no hash
esac
/usr/bin/time -f "recv %e s wall %U user %S sys" bash -c "$ENVX $R" 2>$out.recv >/dev/null &
rp=$!
for _ in $(seq 600); do ss -Hltn "sport = :$port" | grep -q . && break; sleep 0.05; done
t0=$(date +%s.%N)
/usr/bin/time -f "send %e s wall %U user %S sys" bash -c "$ENVX $S" 2>$out.send >/dev/null
wait $rp
t1=$(date +%s.%N)
echo "$kind $(python3 -c "print(f'{$t1-$t0:.2f}')") s | $(tail -1 $out.send) | $(tail -1 $out.recv) | size $(stat -c %s $out/* 2>/dev/null | head -1) | load $(cut -d' ' -f1 /proc/loadavg)"
rm -rf $out $out.recv $out.send
