"""DeepStack's own Python clients against `detect serve`: they must get answers they understand.

Pinned (PyPI): deepstack-python 0.9, codeproject-ai-api 0.1 (needs pillow and requests).
  python3 -m venv /tmp/ds && /tmp/ds/bin/pip install deepstack-python==0.9 codeproject-ai-api==0.1 pillow requests
  detect serve --port 8080 &
  /tmp/ds/bin/python Tools/clients/deepstack_clients.py 8080 SampleImages/dog.jpg
  # with a key:
  LITEDETECT_API_KEY=some-long-key detect serve --port 8081 &
  /tmp/ds/bin/python Tools/clients/deepstack_clients.py 8081 SampleImages/dog.jpg --api-key some-long-key

Each client detects in the photo through `POST /v1/vision/detection` (the multipart field `image`,
plus `min_confidence`, and `api_key` from deepstack-python); the script prints what each got, parsed
by the client's own helpers. It then checks that the lists match what our own route
(`POST /v1/detect` at the same threshold) reports, in whole pixels.

With `--api-key`, deepstack-python sends the key in its `api_key` form field and must get the
same answer, and must get an error (HTTP 401) with a wrong key. codeproject-ai-api 0.1 has no way
to send a key (CodeProject.AI Server has none), so against a keyed server it must fail with 401,
not get an answer. Exit status 0 when all of that holds.
"""
import argparse
import json
import urllib.request

import codeprojectai.core as codeproject
import deepstack.core as deepstack

parser = argparse.ArgumentParser()
parser.add_argument("port", type=int)
parser.add_argument("image")
parser.add_argument("--api-key", help="the key the server was started with")
args = parser.parse_args()
image = open(args.image, "rb").read()
threshold = 0.5

request = urllib.request.Request(f"http://127.0.0.1:{args.port}/v1/detect?score_threshold={threshold}", data=image, method="POST")
if args.api_key:
    request.add_header("Authorization", f"Bearer {args.api_key}")
ours = json.load(urllib.request.urlopen(request))
expected = [(d["label"], round(d["box"]["x1"]), round(d["box"]["y1"]), round(d["box"]["x2"]), round(d["box"]["y2"]))
            for d in ours["detections"]]

ok = True


def compare(name: str, predictions: list) -> None:
    global ok
    print(f"{name}: {len(predictions)} predictions; summary {deepstack.get_objects_summary(predictions)}")
    got = [(p["label"], p["x_min"], p["y_min"], p["x_max"], p["y_max"]) for p in predictions]
    if got != expected:
        ok = False
        print(f"  differs from /v1/detect: {got} != {expected}")


def refused(name: str, attempt) -> None:
    global ok
    try:
        attempt()
        ok = False
        print(f"{name}: got an answer without the right key")
    except (deepstack.DeepstackException, codeproject.CodeProjectAIException) as error:
        print(f"{name}: refused as it should be: {error}")
        if "401" not in str(error):
            ok = False
            print("  but not with 401")


compare("deepstack-python", deepstack.DeepstackObject(
    ip="127.0.0.1", port=args.port, api_key=args.api_key or "", min_confidence=threshold).detect(image))
if args.api_key:
    refused("deepstack-python, wrong key", lambda: deepstack.DeepstackObject(
        ip="127.0.0.1", port=args.port, api_key=args.api_key + "x", min_confidence=threshold).detect(image))
    refused("codeproject-ai-api (cannot send a key)", lambda: codeproject.CodeProjectAIObject(
        ip="127.0.0.1", port=args.port, min_confidence=threshold).detect(image))
else:
    compare("codeproject-ai-api", codeproject.CodeProjectAIObject(
        ip="127.0.0.1", port=args.port, min_confidence=threshold).detect(image))
raise SystemExit(0 if ok else 1)
