"""Runs LiteDetect's release CLI for the training tools and reads what it prints."""

import json
import subprocess


def run_json_lines(command: list[str], cwd: str) -> list[dict]:
    """The JSON objects ``command`` prints, one per line (other lines, such as tables, skipped)."""
    result = subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True)
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
