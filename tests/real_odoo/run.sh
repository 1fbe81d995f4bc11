#!/usr/bin/env bash
# `make test-real`: the whole suite once per real Odoo version that answers, with ZENOO_TEST_* set.
#
# Per version V (ZENOO_REAL_VERSIONS, default "19 17"):
#   ZENOO_REAL_<V>_URL      default http://127.0.0.1:8069 (19) and http://127.0.0.1:8017 (17)
#   ZENOO_REAL_<V>_DB       default odoo19 / odoo17
#   ZENOO_REAL_<V>_KEYFILE  a file of `login=API_KEY` lines; default $ZENOO_REAL_ROOT/odoo<V>/apikeys.txt
#   ZENOO_REAL_USER, ZENOO_REAL_PASSWORD   default admin / admin
# ZENOO_REAL_ROOT is the folder the real-Odoo kit (../shared/real-odoo) built. A version whose server
# does not answer is reported and left out; the run fails when none answers or any run fails.
set -uo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
user=${ZENOO_REAL_USER:-admin}
password=${ZENOO_REAL_PASSWORD:-admin}
ran=0 failed=0
for v in ${ZENOO_REAL_VERSIONS:-19 17}; do
  case $v in 19) port=8069 ;; 17) port=8017 ;; *) port=8069 ;; esac
  url_var=ZENOO_REAL_${v}_URL db_var=ZENOO_REAL_${v}_DB key_var=ZENOO_REAL_${v}_KEYFILE
  url=${!url_var:-http://127.0.0.1:$port}
  db=${!db_var:-odoo$v}
  keyfile=${!key_var:-${ZENOO_REAL_ROOT:+$ZENOO_REAL_ROOT/odoo$v/apikeys.txt}}
  if ! curl -sf -m 10 -o /dev/null -H 'Content-Type: application/json' "$url/jsonrpc" \
       -d '{"jsonrpc":"2.0","method":"call","params":{"service":"common","method":"version","args":[]},"id":1}'; then
    echo "== Odoo $v at $url does not answer: left out"
    continue
  fi
  key=
  if [ -n "$keyfile" ] && [ -r "$keyfile" ]; then key=$(sed -n "s/^$user=//p" "$keyfile"); fi
  echo "== Odoo $v at $url, database $db, user $user, API key: $([ -n "$key" ] && echo yes || echo no)"
  ran=$((ran + 1))
  ZENOO_TEST_URL=$url ZENOO_TEST_DB=$db ZENOO_TEST_USER=$user ZENOO_TEST_PASSWORD=$password \
  ZENOO_TEST_API_KEY=$key ZENOO_TEST_VERSION=$v \
    "$PY" -m pytest -q -p no:cacheprovider "$@" || failed=$((failed + 1))
done
if [ "$ran" = 0 ]; then echo "no real Odoo answered: nothing was tested"; exit 1; fi
[ "$failed" = 0 ]
