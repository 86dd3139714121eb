#!/bin/sh
# `detect serve` under load (docs/PERFORMANCE.md): throughput and latency at 1 and 2 workers
# against what `detect bench` predicts, behaviour at twice saturation over 100,000 requests, and
# a kill -9 in the middle of load. Loopback only; run on an otherwise idle machine.
#
# Needs: wrk and ffmpeg (Debian), python3, curl, and `swift build -c release --product detect`.
#   Tools/bench/serve_load.sh [image]      (default: SampleImages/dog.jpg scaled to 640×480)
set -eu
cd "$(dirname "$0")/../.."
detect=.build/release/detect
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
image=${1:-}
if [ -z "$image" ]; then
    image=$work/dog-640x480.jpg
    ffmpeg -v error -i SampleImages/dog.jpg -vf scale=640:480 -q:v 3 "$image"
fi
export IMAGE=$image
port=18187
url=http://127.0.0.1:$port

start_server() {  # workers queue
    "$detect" serve --port $port --workers "$1" --queue "$2" >"$work/server.log" 2>&1 &
    server=$!
    for _ in $(seq 100); do curl -fs "$url/health/ready" >/dev/null 2>&1 && return; sleep 0.1; done
    echo "server did not start" >&2; cat "$work/server.log" >&2; exit 1
}
stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; }
rss_mib() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$server/status"; }

echo "== $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "== image: $(python3 -c "import sys; print(len(open(sys.argv[1], 'rb').read()))" "$image") bytes"

echo "== detect bench (one thread: each worker runs one single-threaded session)"
"$detect" bench --model ssd300-mobilenetv2-coco --threads 1 --runs 30 --format json | tee "$work/bench.json"
python3 -c "
import json, sys
b = json.loads(open(sys.argv[1]).readline())
s = b['stages_ms']
print(f\"bench: preprocess {s['preprocess']} ms + forward {s['inference']} ms (random weights: postprocess {s['postprocess']} ms is not the real model's)\")" "$work/bench.json"

for workers in 1 2; do
    echo "== $workers worker(s), $((2 * workers)) connections, 20 s"
    start_server "$workers" 64
    wrk -t1 -c$((2 * workers)) -d3s -s Tools/bench/wrk_post_image.lua "$url/v1/detect" >/dev/null
    wrk -t1 -c$((2 * workers)) -d20s --latency -s Tools/bench/wrk_post_image.lua "$url/v1/detect"
    # The stages as the server timed them (its /metrics histograms): decode and postprocess
    # with the real weights, which `detect bench` does not run.
    curl -fs "$url/metrics" | python3 -c "
import re, sys
sums, counts = {}, {}
for line in sys.stdin:
    m = re.match(r'litedetect_stage_duration_seconds_(sum|count)\\{stage=\"(\\w+)\"\\} (\\S+)', line)
    if m: (sums if m[1] == 'sum' else counts)[m[2]] = float(m[3])
print('server stage means: ' + ', '.join(f'{k} {1000 * sums[k] / counts[k]:.2f} ms' for k in sums if counts[k]))"
    stop_server
done

echo "== twice saturation: 2 workers, queue 4, 12 connections, until 100,000 requests"
start_server 2 4
echo "rss at start $(rss_mib) MiB"
total=0
while [ $total -lt 100000 ]; do
    wrk -t1 -c12 -d10s -s Tools/bench/wrk_post_image.lua "$url/v1/detect" >"$work/wrk.txt"
    done_now=$(awk '/requests in/ { print $1 }' "$work/wrk.txt")
    total=$((total + done_now))
    echo "requests $total  rss $(rss_mib) MiB  $(grep -E '^status|Socket errors' "$work/wrk.txt" | tr '\n' ' ')"
done
stop_server

echo "== kill -9 under load: one request every 50 ms for 12 s; kill at 4 s, restart at 6 s"
start_server 2 16
(end=$(($(date +%s) + 12)); while [ "$(date +%s)" -lt $end ]; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H 'Content-Type: image/jpeg' --data-binary @"$image" "$url/v1/detect" || true)
    echo "$(date +%s.%N | cut -c1-12) $code"; sleep 0.05
done) >"$work/client.log" &
client=$!
sleep 4; kill -9 "$server"; echo "killed at $(date +%s.%N | cut -c1-12)"
sleep 2; start_server 2 16; echo "ready again at $(date +%s.%N | cut -c1-12)"
wait $client
awk '{ n[$2]++ } END { for (c in n) printf "client saw %s: %d\n", c, n[c] }' "$work/client.log" | sort
echo "last 5 answers:"; tail -5 "$work/client.log"
stop_server
