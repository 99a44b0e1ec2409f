#!/usr/bin/env python3
"""Runs DuckDB queries over an okta-ingest output root.

  python3 queries/duckdb/run.py [--parquet] ROOT [FILE.sql | -c SQL]...

ROOT is the folder (or s3://bucket/prefix, with DuckDB's httpfs extension and S3 credentials)
that `okta-ingest demo --out` or `run --out` wrote. views.sql is loaded first; with no FILE, the
example queries in this folder run. With --parquet, the views and examples of parquet/ instead,
over the Parquet parts (the default output format); without it, over the gzip NDJSON parts.
Needs the duckdb package (pip install 'duckdb>=2.0.1,<3').
"""

import glob
import os
import re
import sys

import duckdb

HERE = os.path.dirname(os.path.abspath(__file__))


def connect(root, folder=HERE):
    """A connection with the views of folder's views.sql over root. A resource with no files
    (skipped by the ingest) has no view; the others are created."""
    con = duckdb.connect()
    con.execute("SET VARIABLE okta_root = ?", [root.rstrip("/")])
    with open(os.path.join(folder, "views.sql"), encoding="utf-8") as f:
        statements = duckdb.extract_statements(f.read())
    for statement in statements:
        try:
            con.execute(statement.query)
        except duckdb.IOException as e:
            if "No files found" not in str(e):
                raise
            view = re.search(r"VIEW (\w+)", statement.query)
            print(f"no data for {view.group(1) if view else 'a view'}: skipped", file=sys.stderr)
    return con


def main(args):
    folder = HERE
    if args and args[0] == "--parquet":
        folder, args = os.path.join(HERE, "parquet"), args[1:]
    if not args or args[0] in ("-h", "--help"):
        sys.exit(__doc__)
    con = connect(args[0], folder)
    queries, rest = [], args[1:]
    while rest:
        arg = rest.pop(0)
        if arg == "-c" and rest:
            queries.append(("-c", rest.pop(0)))
        else:
            queries.append((arg, open(arg, encoding="utf-8").read()))
    if not queries:
        for path in sorted(glob.glob(os.path.join(folder, "*.sql"))):
            if os.path.basename(path) != "views.sql":
                queries.append((path, open(path, encoding="utf-8").read()))
    for name, sql in queries:
        print(f"-- {os.path.basename(name)}")
        result = con.sql(sql)
        if result is not None:
            result.show(max_rows=20)


if __name__ == "__main__":
    main(sys.argv[1:])
