#!/bin/sh
# Trains every student one after another (Tools/train/README.md), resuming any
# that stopped. Usage: Tools/train/train_all.sh IMAGENET_MOBILENET_V2.pth [python]
# Step counts give each backbone about 22k augmented images (v2 starts from
# ImageNet and gets 18k); on the 2-core machine of docs/MODELS.md that is
# 8-25 minutes per backbone.
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
run squeezenet1.1 700 bf16
run shufflenetv1 700 bf16
run mobilenetv2 560 bf16 --imagenet "$imagenet"
run mobilenetv3-large 700 bf16
run mobilenetv1 700 bf16
echo all students trained
