"""Asking a worker process's HTTP API, as the integration tests do."""
from __future__ import annotations

import json
import urllib.error
import urllib.request


def get(process, path: str) -> tuple[int, dict]:
    """Status and JSON body; the body must be JSON whatever the status."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{process.settings.web_port}{path}", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
