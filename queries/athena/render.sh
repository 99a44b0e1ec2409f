#!/usr/bin/env bash
# Fills the placeholders of the Athena DDL (and examples) and prints the statements.
#
#   queries/athena/render.sh [-p] [-d DATABASE] [-t TENANT,TENANT…] s3://BUCKET[/PREFIX] [FILE…]
#
# - -p: the tables of the Parquet parts (parquet/*.sql, the default output format) and the
#   manifests table; without it, the tables of the gzip NDJSON parts (ddl/*.sql).
# - s3://BUCKET/PREFIX is the output root, the same as OKTA_INGEST_OUTPUT (the stack's
#   DataBucketName and DataPrefix): ${bucket} and ${prefix} become BUCKET and "PREFIX/".
# - DATABASE (default okta) replaces ${database}.
# - Without -t, tenant is an injected partition (each query names one tenant). With -t, it is an
#   enum of those tenants, so one query may span them all (re-render when tenants change).
# - FILE… defaults to every ddl/*.sql (with -p, parquet/*.sql and ddl/manifests.sql). ${tenant}, ${dt}, ${hour} and ${resource} are Athena's
#   own partition placeholders and are left as they are.
# - Comment lines are dropped from CREATE TABLE statements (Athena's DDL parser trips over some);
#   queries keep theirs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
database=okta
tenants=
parquet=
while getopts "pd:t:" opt; do
  case "$opt" in
    p) parquet=1 ;;
    d) database="$OPTARG" ;;
    t) tenants="$OPTARG" ;;
    *) sed -n '2,17p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { sed -n '2,17p' "$0" >&2; exit 2; }
root="$1"; shift

[[ "$root" =~ ^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(/(.*))?$ ]] ||
  { echo "render.sh: $root is not s3://bucket[/prefix]" >&2; exit 2; }
bucket="${BASH_REMATCH[1]}"
prefix="${BASH_REMATCH[3]:-}"
while [ "${prefix%/}" != "$prefix" ]; do prefix="${prefix%/}"; done
[[ -z "$prefix" || "$prefix" =~ ^[A-Za-z0-9._/-]+$ ]] && [[ "$prefix" != /* && "$prefix" != *//* ]] ||
  { echo "render.sh: prefix $prefix: use letters, digits, . _ - and single slashes" >&2; exit 2; }
[ -z "$prefix" ] || prefix="$prefix/"
[[ "$database" =~ ^[a-z0-9_]+$ ]] ||
  { echo "render.sh: database $database: use lowercase letters, digits and _" >&2; exit 2; }
[[ -z "$tenants" || "$tenants" =~ ^[a-z0-9-]+(,[a-z0-9-]+)*$ ]] ||
  { echo "render.sh: -t takes tenant ids separated by commas" >&2; exit 2; }

if [ $# -eq 0 ]; then
  if [ -n "$parquet" ]; then set -- "$here"/parquet/*.sql "$here"/ddl/manifests.sql; else set -- "$here"/ddl/*.sql; fi
fi
for file in "$@"; do
  if grep -q "CREATE EXTERNAL TABLE" "$file"; then grep -v '^[[:space:]]*--' "$file"; else cat "$file"; fi |
    sed -e "s|\${bucket}|$bucket|g" -e "s|\${prefix}|$prefix|g" -e "s|\${database}|$database|g" |
    if [ -n "$tenants" ]; then
      sed -e "s|'projection.tenant.type' = 'injected'|'projection.tenant.type' = 'enum',\n  'projection.tenant.values' = '$tenants'|"
    else
      cat
    fi
  echo
done
