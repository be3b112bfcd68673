"""The benchmarks' HTTP calls to a running emulator: the key sent, redirects not followed."""
import json
import sys
import urllib.error
import urllib.request


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class API:
    def __init__(self, base, key):
        self.base, self.key = base, key
        self.opener = urllib.request.build_opener(NoRedirect)

    def call(self, method, url, body=None, raw=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(url if url.startswith("http") else self.base + url, data=data, method=method,
                                         headers={"X-API-Key": self.key, "Content-Type": "application/json"})
        try:
            with self.opener.open(request, timeout=600) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


def must(status, body, *expected):
    if status not in expected:
        sys.exit(f"unexpected {status}: {body[:500]!r}")
    return json.loads(body) if body else {}
