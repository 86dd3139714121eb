#!/bin/sh
# Trains every student one after another (Tools/train/README.md), resuming any
# that stopped. Usage: Tools/train/train_all.sh IMAGENET_MOBILENET_V2.pth [python]
# Step counts are what fitted one 3-hour session on the 2-core machine of
# docs/MODELS.md (8-27 minutes per backbone, the machine shared with other work): 700 steps of 32 (22k augmented
# images) for the fastest networks, 600 or 400 for the slower ones, 450 for
# MobileNetV2, which starts from ImageNet weights.
set -eu
imagenet=$1
python=${2:-python3}
cd "$(dirname "$0")/../.."
run() { # backbone steps precision [extra...]
    backbone=$1 steps=$2 precision=$3
    shift 3
    "$python" Tools/train/train_student.py --backbone "$backbone" --steps "$steps" --precision "$precision" "$@" \
        >> ".train-work/runs/$backbone.out" 2>&1
}
mkdir -p .train-work/runs
run mobilenetv3-small 700 fp32
run shufflenetv2 700 bf16
run squeezenet1.1 600 bf16
run shufflenetv1 600 bf16
run mobilenetv2 450 bf16 --imagenet "$imagenet"
run mobilenetv3-large 400 bf16
run mobilenetv1 400 bf16
echo all students trained
