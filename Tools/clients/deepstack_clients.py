"""DeepStack's own Python clients against `detect serve`: they must get answers they understand.

Pinned (PyPI): deepstack-python 0.9, codeproject-ai-api 0.1 (needs pillow and requests).
  python3 -m venv /tmp/ds && /tmp/ds/bin/pip install deepstack-python==0.9 codeproject-ai-api==0.1 pillow requests
  detect serve --port 8080 &
  /tmp/ds/bin/python Tools/clients/deepstack_clients.py 8080 SampleImages/dog.jpg

Each client detects in the photo through `POST /v1/vision/detection` (the multipart field `image`,
plus `min_confidence`, and `api_key` from deepstack-python); the script prints what each got, parsed
by the client's own helpers. It then checks that both lists match what our own route
(`POST /v1/detect` at the same threshold) reports, in whole pixels. Exit status 0 when they all agree.
"""
import json
import sys
import urllib.request

import codeprojectai.core as codeproject
import deepstack.core as deepstack

port = int(sys.argv[1])
image = open(sys.argv[2], "rb").read()
threshold = 0.5

answers = {
    "deepstack-python": deepstack.DeepstackObject(ip="127.0.0.1", port=port, min_confidence=threshold).detect(image),
    "codeproject-ai-api": codeproject.CodeProjectAIObject(ip="127.0.0.1", port=port, min_confidence=threshold).detect(image),
}

ours = json.load(urllib.request.urlopen(urllib.request.Request(
    f"http://127.0.0.1:{port}/v1/detect?score_threshold={threshold}", data=image, method="POST")))
expected = [(d["label"], round(d["box"]["x1"]), round(d["box"]["y1"]), round(d["box"]["x2"]), round(d["box"]["y2"]))
            for d in ours["detections"]]

ok = True
for name, predictions in answers.items():
    print(f"{name}: {len(predictions)} predictions; summary {deepstack.get_objects_summary(predictions)}")
    got = [(p["label"], p["x_min"], p["y_min"], p["x_max"], p["y_max"]) for p in predictions]
    if got != expected:
        ok = False
        print(f"  differs from /v1/detect: {got} != {expected}")
sys.exit(0 if ok else 1)
