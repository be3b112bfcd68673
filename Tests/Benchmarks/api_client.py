"""The benchmarks' HTTP calls to a running emulator: the key sent, redirects not followed."""
import json
import subprocess
import sys
import time
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


def wait_quiet(database):
    """Returns once no other session of the database has run a statement three checks in a row
    (0.2 s apart): the work an upload leaves for after its answer (the run's completion: flaky
    watch list, gates) is done, so what is timed next is timed alone."""
    calm = 0
    while calm < 3:
        busy = subprocess.run(["psql", "-qAt", database, "-c", "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                               "AND state = 'active' AND pid <> pg_backend_pid()"], check=True, capture_output=True, text=True)
        calm = calm + 1 if busy.stdout.strip() == "0" else 0
        time.sleep(0.2)
