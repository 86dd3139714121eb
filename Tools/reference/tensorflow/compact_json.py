"""JSON for people: one object key per line, lists of plain values kept on one line."""

import json


def dumps(value, indent: int = 0) -> str:
    pad = "  " * indent
    if isinstance(value, dict):
        items = [f"{pad}  {json.dumps(k, ensure_ascii=False)}: {dumps(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        items = [f"{pad}  {dumps(v, indent + 1)}" for v in value]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    return json.dumps(value, ensure_ascii=False)
