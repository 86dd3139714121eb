#!/bin/sh
# Fuzzes `detect serve` from its committed OpenAPI document with Schemathesis: every route, every
# method the document lacks, schema-derived and mutated bodies, headers and queries.
#
# Pinned (PyPI): schemathesis 4.32.5 (it brings hypothesis 6.170).
#   python3 -m venv /tmp/st && /tmp/st/bin/pip install schemathesis==4.32.5
#   swift build -c release --product detect
#   SCHEMATHESIS=/tmp/st/bin/schemathesis Tools/clients/fuzz_openapi.sh [seconds]
#
# Starts its own server on a free loopback port and stops it afterwards. Fails on any 5xx, a
# response the document does not describe (status, content type, headers, body schema), a method
# the document lacks that is not a 405, or the server dying. Two checks are left out because
# they report requests the server answers rightly:
#   positive_data_acceptance: no JSON schema can say "bytes that decode as a JPEG or PNG" or
#     "a label this model knows", so a schema-valid request may rightly be a 400
#     (`not_an_image`, `unknown_class`);
#   negative_data_rejection: Schemathesis turns a number field into an empty array, which a
#     multipart body can only send as no field at all, a valid request. The server's refusal of
#     out-of-range and malformed parameters is tested in Tests/LiteDetectServerTests instead.
set -eu
cd "$(dirname "$0")/../.."
seconds=${1:-300}
schemathesis=${SCHEMATHESIS:-schemathesis}
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
.build/release/detect serve --port "$port" --workers 2 --queue 16 >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 50); do
    curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break
    sleep 0.2
done
status=0
"$schemathesis" run docs/openapi.json --url "http://127.0.0.1:$port" --checks all \
    --exclude-checks positive_data_acceptance,negative_data_rejection --max-time "$seconds" --workers 2 \
    --suppress-health-check all || status=$?
if ! kill -0 $server 2>/dev/null; then
    echo "fuzz_openapi: the server died; its log:" >&2
    cat "$log" >&2
    exit 1
fi
exit $status
