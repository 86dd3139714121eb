"""Multipart bodies encoded by urllib3, the encoder under `requests` and so under DeepStack's
Python clients, for the server's form parser tests (Tests/LiteDetectServerTests/Fixtures).

Pinned (PyPI): urllib3 2.8.0.
  python3 -m venv /tmp/mp && /tmp/mp/bin/pip install urllib3==2.8.0
  /tmp/mp/bin/python Tools/reference/multipart/make_form_fixtures.py

Writes `urllib3-form.bin` (the body) and `urllib3-form.json` (its Content-Type and the parts
urllib3 was given, for the test to compare with what the parser finds).
"""
import base64
import json
import pathlib

from urllib3.filepost import encode_multipart_formdata

out = pathlib.Path(__file__).resolve().parents[3] / "Tests/LiteDetectServerTests/Fixtures"
image = bytes(range(256)) * 3 + b"\r\n--not-the-boundary\r\n" + b"\x00\xff" * 10
fields = [
    ("api_key", "key-123"),
    ("min_confidence", "0.45"),
    ("image", ("photo; \"quoted\".jpg", image, "image/jpeg")),
    ("note", "ünïcode ✓"),
]
body, content_type = encode_multipart_formdata(fields, boundary="2f1e8d3c4b5a69788796a5b4c3d2e1f0")
(out / "urllib3-form.bin").write_bytes(body)
(out / "urllib3-form.json").write_text(json.dumps({
    "content_type": content_type,
    "parts": [
        {"name": name, "filename": value[0], "content_base64": base64.b64encode(value[1]).decode()}
        if isinstance(value, tuple) else {"name": name, "content_base64": base64.b64encode(value.encode()).decode()}
        for name, value in fields
    ],
}, indent=2) + "\n")
print(content_type, len(body), "bytes")
