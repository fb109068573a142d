#!/bin/sh
# The API benchmark on main (the baseline) and on this checkout, twice each, alternately,
# so that both see the same load. Usage: benchmarks/hashes_api_compare.sh [MAIN_CHECKOUT] [args]
# In-process only (Django's test client); over HTTP, `hashes_api.py --http --baseline DIR`
# alternates waitress servers of both checkouts itself.
# PYTHON names the interpreter (default: this checkout's .venv, else the main checkout's).
here=$(cd "$(dirname "$0")/.." && pwd)
main=${1:-/work/main}
[ $# -gt 0 ] && shift
python=${PYTHON:-$here/.venv/bin/python}
[ -x "$python" ] || python=$main/.venv/bin/python
for round in 1 2; do
    for tree in "$main" "$here"; do
        (cd "$tree" && "$python" "$here/benchmarks/hashes_api.py" "$@")
    done
done
