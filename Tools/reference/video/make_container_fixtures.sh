#!/usr/bin/env bash
# Reference fixtures for reading and writing video files through FFmpeg's libraries: three short
# clips cut from OpenCV's vtest.avi by the `ffmpeg` program, and what the `ffmpeg` program itself
# decodes from each (frame count, presentation timestamps, SHA-256 of every decoded frame's planes).
#
# Writes Tests/LiteDetectVideoTests/Fixtures/:
#   vtest.mp4        H.264 (libx264, yuv420p, B-frames) + AAC audio, 30 frames at 10 fps, moov first
#   vtest-mjpeg.avi  Motion JPEG (full-range yuvj420p) in AVI, 10 frames at 10 fps
#   vtest-vfr.mkv    VP9 4:4:4 in Matroska with irregular timestamps (a gap and a stutter), 12 frames
#   *.framehash      `ffmpeg -f framehash -hash sha256` of the decoded frames: native decoder output,
#                    and for the MJPEG clip also after conversion to limited-range yuv420p
#   MANIFEST.json    the commands, the ffmpeg version and the source
#
# Pinned: Debian 12's ffmpeg 7:5.1.x (libavcodec 59, libavformat 59, libswscale 6, libx264 164).
# vtest.avi ships in Debian's opencv-doc package:
#   apt-get install ffmpeg && apt-get download opencv-doc && dpkg -x opencv-doc_*.deb /tmp/opencv-doc
#   Tools/reference/video/make_container_fixtures.sh /tmp/opencv-doc/usr/share/doc/opencv-doc/examples/data/vtest.avi
set -euo pipefail
source="${1:?usage: $0 path/to/vtest.avi}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
out="$root/Tests/LiteDetectVideoTests/Fixtures"
mkdir -p "$out"
ff=(ffmpeg -hide_banner -loglevel error -y)
# Frames 100.. of vtest.avi (people walking), 160x120; bit-exact output needs single-threaded encoders.
input=(-ss 10 -i "$source")
scale=(-vf "scale=160:120:flags=area" -threads 1)

"${ff[@]}" "${input[@]}" -f lavfi -i "sine=frequency=440:sample_rate=22050:duration=3" \
    "${scale[@]}" -map 0:v -map 1:a -frames:v 30 -c:v libx264 -preset medium -crf 30 -g 12 -bf 2 -pix_fmt yuv420p \
    -c:a aac -b:a 24k -ac 1 -movflags +faststart -shortest -fflags +bitexact -map_metadata -1 "$out/vtest.mp4"
"${ff[@]}" "${input[@]}" "${scale[@]}" -frames:v 10 -c:v mjpeg -q:v 6 -pix_fmt yuvj420p -fflags +bitexact -map_metadata -1 "$out/vtest-mjpeg.avi"
# Timestamps in ms: 0,100,...,400, then a 350 ms gap, then 100 ms steps, with one frame 40 ms late.
"${ff[@]}" "${input[@]}" -threads 1 -frames:v 12 \
    -vf "scale=160:120:flags=area,settb=1/1000,setpts=(N*100+gte(N\,5)*350+eq(N\,8)*40)/1000/TB" -fps_mode passthrough -enc_time_base 1:1000 \
    -c:v libvpx-vp9 -pix_fmt yuv444p -crf 40 -b:v 0 -row-mt 0 -fflags +bitexact -map_metadata -1 "$out/vtest-vfr.mkv"

hash() { "${ff[@]}" -threads 1 -i "$1" -map 0:v "${@:3}" -f framehash -hash sha256 "$out/$2"; }
hash "$out/vtest.mp4" vtest.mp4.framehash
hash "$out/vtest-mjpeg.avi" vtest-mjpeg.avi.framehash
hash "$out/vtest-mjpeg.avi" vtest-mjpeg.avi.yuv420p.framehash -pix_fmt yuv420p -sws_flags bicubic
hash "$out/vtest-vfr.mkv" vtest-vfr.mkv.framehash -fps_mode passthrough -enc_time_base -1

cat > "$out/MANIFEST.json" <<JSON
{
  "source": "OpenCV samples/data/vtest.avi (Debian opencv-doc; OpenCV's licence, Apache-2.0), from 10 s, scaled to 160x120",
  "ffmpeg": "$(ffmpeg -version | head -1)",
  "script": "Tools/reference/video/make_container_fixtures.sh",
  "framehash": "ffmpeg -threads 1 -i CLIP -map 0:v [-pix_fmt yuv420p -sws_flags bicubic] -f framehash -hash sha256 (per frame: stream, dts, pts, duration, size, sha256 of the planes packed one after another)"
}
JSON
ls -l "$out"
