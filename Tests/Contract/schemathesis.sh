#!/usr/bin/env bash
# Property-based contract test: Schemathesis generates requests from infra-templates/openapi.yaml
# (valid and invalid ones) and checks every answer against the same document.
#   Tests/Contract/schemathesis.sh BASE_URL API_KEY [extra schemathesis run options…]
# API_KEY needs the admin scope. Extra options go last, so a trial run can narrow the
# operations (--exclude-path …). The API's data changes: use a throw-away database.
set -euo pipefail

base=${1:?usage: schemathesis.sh BASE_URL API_KEY [schemathesis options]}
key=${2:?usage: schemathesis.sh BASE_URL API_KEY [schemathesis options]}
shift 2
root=$(cd "$(dirname "$0")/../.." && pwd)

if ! python3 -c 'import schemathesis, sys; sys.exit(0 if schemathesis.__version__.startswith("4.") else 1)' 2>/dev/null; then
  python3 -m pip install --quiet 'schemathesis>=4,<5'
fi

work=${SCHEMATHESIS_REPORT_DIR:-$(mktemp -d /tmp/verdict-schemathesis.XXXXXX)}
mkdir -p "$work"
# Schemathesis keeps replay files under the current directory; they belong with the reports.
cd "$work"
python3 "$root/Tests/Contract/seed_contract_data.py" "$base" "$key" >"$work/schemathesis.toml"
echo "schemathesis: $base, reports in $work"

# Bounded for a shared 2-core machine: few examples per operation, no shrinking (a failure is
# reported as found, with its curl reproduction), one request at a time (the emulator's pools
# are small) and a per-request timeout well inside the slowest function's.
# --max-redirects 0: a 302 is checked as the answer it is; following it into the presigned S3
# URL would check S3's response against this API's schemas.
# The key goes in as a fixed header; generated security parameters would replace it with random
# keys and turn every write into a 401.
run() {
  local name=$1
  shift
  schemathesis --config-file "$work/schemathesis.toml" run "$root/infra-templates/openapi.yaml" \
    --url "$base" \
    --header "X-API-Key: $key" \
    --generation-with-security-parameters false \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
    --phases examples,coverage,fuzzing \
    --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-100}" \
    --no-shrink \
    --workers 1 \
    --request-timeout 30 \
    --max-redirects 0 \
    --generation-database none \
    --report junit --report-junit-path "$work/junit-$name.xml" \
    --no-color \
    "$@"
}

start=$(date +%s)
status=0
# Schemathesis reuses ids it saw in responses, so revoking keys would, sooner or later, revoke
# the key the run itself uses: revocation goes last, in a pass of its own.
run main --exclude-operation-id revokeKey "$@" || status=$?
run revoke --include-operation-id revokeKey "$@" || status=$?
echo "schemathesis: finished in $(($(date +%s) - start)) s with exit status $status"
exit $status
