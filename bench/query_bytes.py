#!/usr/bin/env python3
"""Bytes each example DuckDB query reads, over Parquet and over gzip NDJSON of the same output.

  bench/query_bytes.py ROOT      ROOT: an output folder written with --format both

Each query runs in a fresh connection (views loaded first, outside the measurement); the bytes
are the growth of this process's `rchar` (/proc/self/io: every byte read by a read syscall, all
threads) while the query runs, so they count what DuckDB read from the files, cached or not.
Prints one row per query and the ratio NDJSON / Parquet.
"""

import glob
import os
import sys
import time

import duckdb

HERE = os.path.dirname(os.path.abspath(__file__))
DUCKDB = os.path.join(os.path.dirname(HERE), "queries", "duckdb")


def rchar():
    with open("/proc/self/io", encoding="ascii") as f:
        for line in f:
            if line.startswith("rchar:"):
                return int(line.split()[1])
    raise RuntimeError("no rchar in /proc/self/io")


def measure(root, folder, sql):
    con = duckdb.connect()
    con.execute("SET VARIABLE okta_root = ?", [root])
    with open(os.path.join(folder, "views.sql"), encoding="utf-8") as f:
        for statement in duckdb.extract_statements(f.read()):
            con.execute(statement.query)
    before, started = rchar(), time.monotonic()
    rows = con.sql(sql).fetchall()
    seconds = time.monotonic() - started
    read = rchar() - before
    con.close()
    return read, seconds, len(rows)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = os.path.abspath(sys.argv[1])
    names = sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(DUCKDB, "*.sql"))
                   if not p.endswith("views.sql"))
    print(f"{'query':<28} {'NDJSON MB':>10} {'s':>6} {'Parquet MB':>11} {'s':>6} {'ratio':>7}  rows")
    for name in names:
        results = []
        for folder in (DUCKDB, os.path.join(DUCKDB, "parquet")):
            sql = open(os.path.join(folder, name + ".sql"), encoding="utf-8").read()
            results.append(measure(root, folder, sql))
        (nd, nd_s, nd_rows), (pq, pq_s, pq_rows) = results
        assert nd_rows == pq_rows, f"{name}: {nd_rows} rows on NDJSON, {pq_rows} on Parquet"
        print(f"{name:<28} {nd / 1e6:>10.1f} {nd_s:>6.2f} {pq / 1e6:>11.1f} {pq_s:>6.2f} "
              f"{nd / max(pq, 1):>6.1f}x  {nd_rows}")


if __name__ == "__main__":
    main()
