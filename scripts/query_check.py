#!/usr/bin/env python3
"""Checks the shipped queries against real output: scripts/query-check runs it on a fresh demo.

  query_check.py ROOT     ROOT: an okta-ingest output folder written by `okta-ingest demo`

1. The Athena DDL (queries/athena/ddl/*.sql, rendered by render.sh) against the demo output:
   every declared column and struct field is a key of the data (through the SerDe's mappings),
   every key of the data is declared, every value fits its declared type, and the partition
   projection (LOCATION, storage.location.template, ranges, formats) matches the real keys.
2. Decoys are added to the output: an older complete run, a newer partial run and a run still
   going (no manifest) for every snapshot resource, a second tenant, and System Log events landed
   twice. A query that reads the wrong run, mixes tenants or counts an event twice gives a
   different answer.
3. Every query in queries/duckdb/ (after views.sql), every query in queries/duckdb/parquet/
   (after its views.sql, over the Parquet parts) and every query in queries/athena/examples.sql
   (translated to DuckDB by sqlglot, over DuckDB stand-ins for the Athena tables built from the
   DDL) must return exactly the rows computed here in plain Python from the gzip NDJSON and the
   manifests. An empty answer fails. The demo writes both formats, and the decoys are added in
   both, so Parquet and NDJSON answer from the same records.
4. The Athena Parquet DDL (queries/athena/parquet/*.sql) declares exactly the columns and types
   of the demo's Parquet parts, and the same projection as the NDJSON tables.
"""

import collections
import datetime as dt
import glob
import gzip
import json
import os
import re
import subprocess
import sys
import traceback

import duckdb
import sqlglot
from sqlglot import exp

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUERIES = os.path.join(REPO, "queries")
RENDER = os.path.join(QUERIES, "athena", "render.sh")
BUCKET, PREFIX, DATABASE = "query-check-bucket", "okta/", "okta"
S3_ROOT = f"s3://{BUCKET}/{PREFIX}"
RUN_ID = r"\d{8}T\d{6}Z-[0-9a-f]{4}"
TENANT_ID = re.compile(r"[a-z0-9-]+")
OPENX = "org.openx.data.jsonserde.JsonSerDe"
# Resources partitioned by event time (dt and hour of each event), not snapshots.
EVENT_LOGS = ("system_log", "system_log_ocsf")
ION = "com.amazon.ionhiveserde.IonHiveSerDe"


# ---------------------------------------------------------------- results

class Checks:
    """Counts named checks; a failing one prints why and the run goes on."""

    def __init__(self):
        self.passed, self.failed = 0, []

    def run(self, name, fn, *args):
        try:
            fn(*args)
        except Exception as e:  # any error fails this check only
            self.failed.append(name)
            detail = str(e) if isinstance(e, AssertionError) else traceback.format_exc(limit=3)
            print(f"FAIL {name}: {detail}")
        else:
            self.passed += 1
            print(f"ok   {name}")


# ---------------------------------------------------------------- reading the output

NDJSON, PARQUET = ".json.gz", ".parquet"


def read_part(path):
    assert path.endswith(NDJSON), path
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write_part(path, records):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.writelines(json.dumps(r, separators=(",", ":")) + "\n" for r in records)


def files_under(root):
    """Every file under root, as a key relative to it."""
    out = []
    for d, _, names in os.walk(root):
        out += [os.path.relpath(os.path.join(d, n), root).replace(os.sep, "/") for n in names]
    return sorted(out)


def manifests(root):
    out = []
    for path in glob.glob(os.path.join(root, "_manifests", "*", "tenant=*", "run=*.json")):
        with open(path, encoding="utf-8") as f:
            out.append(json.load(f))
    return out


def current_snapshots(root):
    """(resource, tenant) -> records of the newest complete run, read from the parts its
    manifest lists."""
    newest = {}
    for m in manifests(root):
        key = (m["resource"], m["tenant"])
        if m["resource"] not in EVENT_LOGS + ("changes",) and m["status"] == "complete":
            if key not in newest or m["run_id"] > newest[key]["run_id"]:
                newest[key] = m
    return {k: [r for p in m["parts"] if p["key"].endswith(NDJSON)
                for r in read_part(os.path.join(root, p["key"]))]
            for k, m in newest.items()}


def change_records(root):
    """(tenant, record) for every change of a complete comparison, read from the parts its
    manifest lists."""
    out = []
    for m in manifests(root):
        if m["resource"] == "changes" and m["status"] == "complete":
            for p in m["parts"]:
                if p["key"].endswith(NDJSON):  # the Parquet twins hold the same records
                    out += [(m["tenant"], r) for r in read_part(os.path.join(root, p["key"]))]
    return out


def parse_time(text):
    """An RFC 3339 time, in UTC."""
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.timezone.utc)


def timestamp(text):
    """An RFC 3339 time as the ISO text a DuckDB TIMESTAMPTZ comes back as (UTC)."""
    return parse_time(text).isoformat()


def system_log_events(root):
    """Every event under system_log/, once per tenant and uuid."""
    seen, events = set(), []
    for key in files_under(os.path.join(root, "system_log")):
        if not key.endswith(NDJSON):
            continue
        tenant = re.match(r"tenant=([^/]+)/", key).group(1)
        for e in read_part(os.path.join(root, "system_log", key)):
            if (tenant, e["uuid"]) not in seen:
                seen.add((tenant, e["uuid"]))
                events.append((tenant, e))
    return events


def ocsf_records(root):
    """Every OCSF record under system_log_ocsf/, once per tenant and Okta uuid."""
    seen, records = set(), []
    for key in files_under(os.path.join(root, "system_log_ocsf")):
        if not key.endswith(NDJSON):  # the Parquet twins hold the same records
            continue
        tenant = re.match(r"tenant=([^/]+)/", key).group(1)
        for r in read_part(os.path.join(root, "system_log_ocsf", key)):
            uuid = r["metadata"]["original_event_uid"]
            if (tenant, uuid) not in seen:
                seen.add((tenant, uuid))
                records.append((tenant, r))
    return records


# ---------------------------------------------------------------- expected answers

def nulls_last(v):
    return (v is None, v if v is not None else "")


def expected_answers(root):
    """Each example query's rows, computed without SQL. Keys are the query names."""
    snap = current_snapshots(root)
    tenants = sorted({t for (_, t) in snap})

    def rows(resource, tenant):
        return snap.get((resource, tenant), [])

    by_status, no_mfa, admins, top_apps = [], [], [], []
    for t in tenants:
        users = {u["id"]: u for u in rows("users", t)}
        counts = collections.Counter(u["status"] for u in users.values())
        by_status += sorted(((t, s, n) for s, n in counts.items()), key=lambda r: (-r[2], r[1]))

        with_factor = {f["userId"] for f in rows("user_factors", t) if f["status"] == "ACTIVE"}
        no_mfa += sorted(((t, u["id"], u["profile"]["login"], u["profile"]["displayName"])
                          for u in users.values()
                          if u["status"] == "ACTIVE" and u["id"] not in with_factor),
                         key=lambda r: (r[2], r[1]))

        groups = {g["id"]: g for g in rows("groups", t)}
        group_name = {gid: g["profile"]["name"] for gid, g in groups.items()}
        found = []
        for r in rows("user_roles", t):
            login = users[r["userId"]]["profile"]["login"] if r["userId"] in users else None
            found.append((t, "USER", r["userId"], login, r["type"], r["label"], "direct"))
        for r in rows("group_roles", t):
            found.append((t, "GROUP", r["groupId"], group_name.get(r["groupId"]), r["type"],
                          r["label"], "direct"))
            for m in rows("group_members", t):
                if m["groupId"] == r["groupId"]:
                    via = "group " + group_name.get(r["groupId"], r["groupId"])
                    found.append((t, "USER", m["id"], m["profile"]["login"], r["type"],
                                  r["label"], via))
        admins += sorted(found, key=lambda r: (r[1], nulls_last(r[3]), r[2], r[4], r[6]))

        apps = {a["id"]: a for a in rows("apps", t)}
        assigned = collections.defaultdict(set)
        for a in rows("app_users", t):
            assigned[a["appId"]].add(a["id"])
        ranked = sorted(((t, app, apps.get(app, {}).get("label"), apps.get(app, {}).get("status"),
                          len(ids)) for app, ids in assigned.items()),
                        key=lambda r: (-r[4], nulls_last(r[2]), r[1]))
        top_apps += ranked[:10]

    posture = posture_answers(tenants, rows, users_of=lambda t: {u["id"]: u for u in rows("users", t)})

    failed = collections.defaultdict(list)
    for tenant, e in system_log_events(root):
        if e["eventType"] == "user.session.start" and e["outcome"]["result"] == "FAILURE":
            failed[(tenant, e["published"][:10])].append(e["actor"]["alternateId"])
    failures = [(t, day, len(a), len(set(a))) for (t, day), a in sorted(failed.items())]

    # The change feed: admin roles granted in the last 7 days, and users still active who lost
    # their last factor.
    week_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=7)
    admin_grants, lost = [], []
    changes = change_records(root)
    for t in tenants:
        mine = [c for (tenant, c) in changes if tenant == t]
        found = []
        for c in mine:
            cause = c.get("cause") or {}
            at = parse_time(cause.get("published") or c["window_end"])
            if c["kind"] in ("admin_role.granted", "admin_role.granted_to_group") and at >= week_ago:
                found.append((t, c["kind"], c["severity"], c["key"], (c.get("object") or {}).get("type"),
                              (cause.get("actor") or {}).get("alternate_id"), cause.get("client_ip"),
                              parse_time(cause["published"]) if cause.get("published") else None))
        # ORDER BY granted_at DESC NULLS LAST, key (Python's sorts are stable, reversed too).
        found.sort(key=lambda r: r[3])
        found.sort(key=lambda r: r[7] or dt.datetime.min.replace(tzinfo=dt.timezone.utc), reverse=True)
        found.sort(key=lambda r: r[7] is None)
        admin_grants += [r[:7] + (r[7] and r[7].isoformat(),) for r in found]
        users = {u["id"]: u for u in rows("users", t)}
        with_factor = {f["userId"] for f in rows("user_factors", t) if f["status"] == "ACTIVE"}
        removed = collections.defaultdict(list)
        for c in mine:
            if c["kind"] == "mfa.factor_removed":
                removed[c["parent_id"]].append(c.get("cause") or {})
        found = []
        for user_id, causes in removed.items():
            u = users.get(user_id)
            if u is None or u["status"] == "DEPROVISIONED" or user_id in with_factor:
                continue
            latest = max(causes, key=lambda k: k.get("published") or "")
            found.append((t, user_id, u["profile"]["login"],
                          timestamp(latest["published"]) if latest.get("published") else None,
                          (latest.get("actor") or {}).get("alternate_id")))
        lost += sorted(found, key=lambda r: r[2])

    auth_failures = collections.Counter()
    grants = []
    for tenant, r in ocsf_records(root):
        if r["class_uid"] == 3002 and r["status_id"] == 2:
            auth_failures[(tenant, r["metadata"]["original_time"][:10], r["user"]["name"])] += 1
        if r["type_uid"] in (300501, 300601):
            grantee = (r.get("user") or r.get("group"))["name"]
            grants += [(tenant, r["metadata"]["original_time"], r["actor"]["user"]["name"],
                        r["class_name"], grantee, p) for p in r.get("privileges", [])]
    auth_failures = sorted(((t, day, user, n) for (t, day, user), n in auth_failures.items()),
                           key=lambda r: (r[0], r[1], -r[3], r[2]))
    grants.sort(key=lambda r: (r[0], r[1], r[4], r[5]))

    return {
        "admin_grants_last_7_days": admin_grants,
        "users_who_lost_their_last_mfa_factor": lost,
        "users_by_status": by_status,
        "active_users_without_mfa": no_mfa,
        "admin_roles": admins,
        "top_apps_by_users": top_apps,
        "failed_sign_ins_per_day": failures,
        "ocsf_failed_authentications_per_user_per_day": auth_failures,
        "ocsf_privilege_grants": grants,
        **posture,
    }


# The allow-list queries/*/outbound_destinations.sql ships with.
ALLOWED_DESTINATIONS = ("acme-corp.example", "splunkcloud.com", "aws:123456789012")
SCOPABLE_ROLES = ("USER_ADMIN", "HELP_DESK_ADMIN", "GROUP_MEMBERSHIP_ADMIN", "APP_ADMIN")


def posture_answers(tenants, rows, users_of):
    """The posture queries' rows (#16), computed without SQL."""
    tokens, service_roles, unscoped, outbound, wildcards, all_clients = [], [], [], [], [], []
    for t in tenants:
        users = users_of(t)
        supers = {r["userId"] for r in rows("user_roles", t) if r["type"] == "SUPER_ADMIN"}
        super_groups = {r["groupId"] for r in rows("group_roles", t) if r["type"] == "SUPER_ADMIN"}
        supers |= {m["id"] for m in rows("group_members", t) if m["groupId"] in super_groups}
        found = []
        for k in rows("api_tokens", t):
            owner = users.get(k["userId"])
            login = owner["profile"]["login"] if owner else None
            network = k.get("network", {}).get("connection")
            if owner and owner["status"] == "DEPROVISIONED":
                found.append((t, k["id"], k["name"], k["userId"], login, "owner deactivated", network))
            if k["userId"] in supers:
                found.append((t, k["id"], k["name"], k["userId"], login, "owner is a super admin", network))
        tokens += sorted(found, key=lambda r: (r[2], r[1], r[5]))

        by_client = {a["credentials"]["oauthClient"]["client_id"]: a for a in rows("apps", t)
                     if a.get("credentials", {}).get("oauthClient", {}).get("client_id")}
        found = []
        for r in rows("service_app_roles", t):
            app = by_client.get(r["clientId"], {})
            found.append((t, app.get("id"), app.get("label"), r["clientId"], r["type"], r["label"], r["status"]))
        service_roles += sorted(found, key=lambda r: (nulls_last(r[2]), r[3], r[4]))

        groups = {g["id"]: g for g in rows("groups", t)}
        targets = collections.defaultdict(int)
        held = {}
        for kind, resource, field in (("USER", "user_role_targets", "userId"),
                                      ("GROUP", "group_role_targets", "groupId")):
            for r in rows(resource, t):
                embedded = r.get("_embedded", {}).get("targets", {})
                count = len(embedded.get("groups", [])) + len(embedded.get("catalog", {}).get("apps", []))
                key = (kind, r[field], r["id"], r["type"], r["label"])
                targets[key] += count
                held[key] = r
        found = []
        for (kind, principal, assignment, kind_of_role, label), n in targets.items():
            if n == 0 and kind_of_role in SCOPABLE_ROLES:
                name = (users.get(principal, {}).get("profile", {}).get("login") if kind == "USER"
                        else groups.get(principal, {}).get("profile", {}).get("name"))
                found.append((t, kind, principal, name, kind_of_role, label, assignment))
        unscoped += sorted(found, key=lambda r: (r[1], nulls_last(r[3]), r[2], r[4], r[6]))

        found = []
        destinations = [("event_hook", h, h["channel"]["config"]["uri"]) for h in rows("event_hooks", t)]
        destinations += [("inline_hook", h, h["channel"]["config"]["uri"]) for h in rows("inline_hooks", t)]
        for s in rows("log_streams", t):
            where = ("https://" + s["settings"]["host"] if s["type"] == "splunk_cloud_logstreaming"
                     else "aws:" + s["settings"]["accountId"])
            destinations.append(("log_stream", s, where))
        for kind, obj, where in destinations:
            https = where.startswith("aws:") or where.lower().startswith("https://")
            host = re.match(r"^[a-zA-Z]+://([^/:]+)", where)
            host = host.group(1).lower() if host else None
            listed = any(where == a or host == a or (host or "").endswith("." + a)
                         for a in ALLOWED_DESTINATIONS)
            if not (https and listed):
                finding = ", ".join(f for f, bad in (("not https", not https),
                                                     ("not on the allow-list", not listed)) if bad)
                found.append((t, kind, obj["id"], obj["name"], obj["status"], where, finding))
        outbound += sorted(found, key=lambda r: (r[1], r[3], r[2]))

        wildcards += sorted(((t, o["id"], o["name"], o["origin"], o["status"],
                              ",".join(sorted(s["type"] for s in o["scopes"])))
                             for o in rows("trusted_origins", t) if "*" in o["origin"]),
                            key=lambda r: (r[3], r[1]))

        servers = {s["id"]: s for s in rows("authorization_servers", t)}
        all_clients += sorted(((t, p["authServerId"], servers.get(p["authServerId"], {}).get("name"),
                                p["id"], p["name"], p["status"], p["priority"])
                               for p in rows("authorization_server_policies", t)
                               if "ALL_CLIENTS" in p["conditions"]["clients"]["include"]),
                              key=lambda r: (nulls_last(r[2]), r[6], r[3]))
    return {
        "api_tokens_at_risk": tokens,
        "service_apps_with_admin_roles": service_roles,
        "admin_roles_without_targets": unscoped,
        "outbound_destinations": outbound,
        "trusted_origins_with_wildcards": wildcards,
        "auth_server_policies_for_all_clients": all_clients,
    }


# ---------------------------------------------------------------- the Athena DDL

def render(*args):
    return subprocess.run([RENDER, *args], check=True, capture_output=True, text=True).stdout


def hive_model(t):
    """A sqlglot DataType as ('scalar', name) | ('struct', [(field, model)]) |
    ('array', model) | ('map', key model, value model)."""
    kind = t.this
    if kind == exp.DataType.Type.STRUCT:
        return ("struct", [(f.name, hive_model(f.kind)) for f in t.expressions])
    if kind == exp.DataType.Type.ARRAY:
        return ("array", hive_model(t.expressions[0]))
    if kind == exp.DataType.Type.MAP:
        return ("map", hive_model(t.expressions[0]), hive_model(t.expressions[1]))
    names = {"TEXT": "string", "INT": "int", "BIGINT": "bigint", "DOUBLE": "double",
             "BOOLEAN": "boolean", "TIMESTAMP": "timestamp"}
    assert kind.name in names, f"type {t.sql('hive')} is not one this check knows"
    return ("scalar", names[kind.name])


def comment(column):
    found = column.find(exp.CommentColumnConstraint)
    return found.this.this if found else ""


class Table:
    """One rendered CREATE EXTERNAL TABLE statement."""

    def __init__(self, path, sql):
        self.file = os.path.basename(path)
        statements = [s for s in sqlglot.parse(sql, read="athena") if s is not None]
        assert len(statements) == 1, f"{self.file}: {len(statements)} statements, want 1"
        create = statements[0]
        assert isinstance(create, exp.Create) and create.kind == "TABLE", f"{self.file}: not CREATE TABLE"
        self.name = create.this.this.name
        self.database = create.this.this.db
        self.columns = [(c.name, hive_model(c.kind)) for c in create.this.expressions]
        # A column whose COMMENT says "not in the demo" may be absent from the demo output, and
        # so may a struct field that such a comment names by its path (`column.field`).
        self.optional = set()
        for c in create.this.expressions:
            if "not in the demo" in comment(c):
                self.optional.add(c.name)
                self.optional.update(re.findall(rf"\b{re.escape(c.name)}(?:\.\w+)+", comment(c)))
        self.partitions, self.serde_props, self.tblprops = [], [], []
        self.serde = self.location = None
        for p in create.args["properties"].expressions:
            if isinstance(p, exp.PartitionedByProperty):
                self.partitions = [(c.name, hive_model(c.kind)) for c in p.this.expressions]
            elif isinstance(p, exp.RowFormatSerdeProperty):
                self.serde = p.this.this
                props = p.args.get("serde_properties")
                self.serde_props = [(q.this.this, q.args["value"].this) for q in props.expressions] if props else []
            elif isinstance(p, exp.LocationProperty):
                self.location = p.this.this
            elif type(p) is exp.Property:  # TBLPROPERTIES (subclasses are other clauses)
                self.tblprops.append((p.this.this, p.args["value"].this))
        for what, pairs in (("SERDEPROPERTIES", self.serde_props), ("TBLPROPERTIES", self.tblprops)):
            keys = [k for k, _ in pairs]
            dup = {k for k in keys if keys.count(k) > 1}
            assert not dup, f"{self.file}: {what} repeat {sorted(dup)}"
        self.props = dict(self.tblprops)
        self.mapping = {k[len("mapping."):]: v for k, v in self.serde_props if k.startswith("mapping.")}

    def json_key(self, name):
        """The JSON key a column or struct field reads. OpenX with case.insensitive=false looks
        up the lowercased Hive name unless a mapping names the key; Ion ignores case."""
        if self.serde == ION:
            return name.lower()
        return self.mapping.get(name.lower(), name.lower())

    def template(self):
        return self.props.get("storage.location.template", "")


def load_tables():
    tables = {}
    for path in sorted(glob.glob(os.path.join(QUERIES, "athena", "ddl", "*.sql"))):
        t = Table(path, render(S3_ROOT, path))
        assert t.file == t.name + ".sql", f"{t.file} creates table {t.name}"
        assert t.database == DATABASE, f"{t.file}: database {t.database}, want ${{database}}"
        tables[t.name] = t
    return tables


def fits(value, model):
    """Whether a JSON value fits a declared type; returns a message if not."""
    if value is None:
        return None
    kind = model[0]
    if kind == "scalar":
        ok = {"string": True,  # OpenX gives a nested object or array as its JSON text
              "int": isinstance(value, int) and not isinstance(value, bool) and -2**31 <= value < 2**31,
              "bigint": isinstance(value, int) and not isinstance(value, bool),
              "double": isinstance(value, (int, float)) and not isinstance(value, bool),
              "boolean": isinstance(value, bool)}[model[1]]
        return None if ok else f"{json.dumps(value)[:60]} is not {model[1]}"
    if kind == "array":
        if not isinstance(value, list):
            return f"{json.dumps(value)[:60]} is not an array"
        return next((m for m in (fits(v, model[1]) for v in value) if m), None)
    if not isinstance(value, dict):
        return f"{json.dumps(value)[:60]} is not an object"
    if kind == "map":
        return next((m for m in (fits(v, model[2]) for v in value.values()) if m), None)
    return None  # struct fields are checked one by one by the caller


def check_columns(table, records, undeclared_ok=()):
    """Declared columns and struct fields against every record: each is a key of the data
    (through the mappings), each value fits its type, and each key of the data is declared
    (but for undeclared_ok)."""
    assert records, f"{table.name}: no records in the demo output to check against"
    if table.serde != ION:
        assert table.serde == OPENX, f"{table.name}: SerDe {table.serde}, want {OPENX}"
        props = dict(table.serde_props)
        assert props.get("case.insensitive", "").lower() == "false", \
            f"{table.name}: set 'case.insensitive' = 'false' (Okta keys are camelCase; see README)"
        bad = [k for k in table.mapping if k != k.lower()]
        assert not bad, f"{table.name}: mapping names must be lowercase Hive names: {bad}"

    names = [n.lower() for n, _ in table.columns] + [n for n, _ in table.partitions]
    assert len(names) == len(set(names)), f"{table.name}: a column name repeats"

    used_mappings = set()
    problems = []

    def walk(path, name, model, values):
        """values: every value found at this path in the data (None where absent)."""
        key = table.json_key(name)
        if name.lower() in table.mapping:
            used_mappings.add(name.lower())
        present = [v for v in values if v is not _ABSENT]
        if not present and path in table.optional:
            return
        if not present:
            problems.append(f"{path}: no record has key {key!r}")
            return
        for v in present:
            msg = fits(v, model)
            if msg:
                problems.append(f"{path}: {msg}")
                return
        inner = model
        flat = present
        while inner[0] == "array":  # step into arrays of structs
            inner = inner[1]
            flat = [x for v in flat if isinstance(v, list) for x in v]
        if inner[0] == "struct":
            objs = [v for v in flat if isinstance(v, dict)]
            for fname, fmodel in inner[1]:
                fkey = table.json_key(fname)
                walk(f"{path}.{fname}", fname, fmodel, [o.get(fkey, _ABSENT) for o in objs])

    for name, model in table.columns:
        key = table.json_key(name)
        values = [r.get(key, _ABSENT) for r in records]
        if name in table.optional and all(v is _ABSENT for v in values):
            used_mappings.add(name.lower())  # an absent column still uses its mapping
            continue
        walk(name, name, model, values)

    declared = {table.json_key(n) for n, _ in table.columns}
    data_keys = {k for r in records for k in r}
    missing = sorted(data_keys - declared - set(undeclared_ok))
    if missing:
        problems.append(f"keys in the data but not declared: {missing}")
    dotted = sorted(k for k in data_keys if "." in k)
    if dotted:
        problems.append(f"keys with dots (need dots.in.keys): {dotted}")
    stray = sorted(set(table.mapping) - used_mappings)
    if stray:
        problems.append(f"mappings no column or field uses: {stray}")
    assert not problems, f"{table.name}:\n  " + "\n  ".join(problems[:20])


_ABSENT = object()


def java_date_format(fmt):
    table = {"yyyy": "%Y", "MM": "%m", "dd": "%d", "HH": "%H"}
    return re.sub(r"yyyy|MM|dd|HH", lambda m: table[m.group(0)], fmt)


def check_projection(table, keys, expect_parts, rest_pattern, enum_values=None):
    """LOCATION, template and projection properties against the real keys of the output."""
    props = table.props
    assert props.get("projection.enabled") == "true", f"{table.name}: projection not enabled"
    names = [n for n, _ in table.partitions]
    assert names == expect_parts, f"{table.name}: partitions {names}, want {expect_parts}"
    tmpl, loc = table.template(), table.location
    assert loc and loc.startswith(S3_ROOT) and loc.endswith("/"), f"{table.name}: LOCATION {loc}"
    assert tmpl.startswith(loc) and tmpl.endswith("/"), f"{table.name}: template {tmpl} not under {loc}"
    for n in names:
        assert tmpl.count("${" + n + "}") == 1, f"{table.name}: template needs ${{{n}}} once"
    leftover = set(re.findall(r"\$\{(\w+)\}", tmpl)) - set(names)
    assert not leftover, f"{table.name}: template placeholders {leftover} are not partitions"

    # The template as a pattern over keys relative to the root.
    rel = tmpl[len(S3_ROOT):]
    pattern = "^" + re.sub(r"\\\$\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(rel)) + "(?P<rest>.+)$"
    loc_rel = loc[len(S3_ROOT):]
    under = [k for k in keys if k.startswith(loc_rel)]
    assert under, f"{table.name}: no object under {loc_rel}"
    today = dt.datetime.now(dt.timezone.utc).date()
    for key in under:
        m = re.match(pattern, key)
        assert m, f"{table.name}: {key} is under LOCATION but not under the template {rel}"
        assert re.fullmatch(rest_pattern, m.group("rest")), \
            f"{table.name}: {key}: {m.group('rest')} is not a data part"
        for n in names:
            value, kind = m.group(n), props.get(f"projection.{n}.type")
            if kind == "injected":
                assert TENANT_ID.fullmatch(value), f"{table.name}: {key}: {n}={value}"
            elif kind == "enum":
                values = props[f"projection.{n}.values"].split(",")
                assert value in values, f"{table.name}: {key}: {n}={value} not in the enum"
            elif kind == "date":
                fmt = java_date_format(props[f"projection.{n}.format"])
                day = dt.datetime.strptime(value, fmt).date()
                assert day.strftime(fmt) == value, f"{table.name}: {key}: {n}={value} vs {fmt}"
                start, end = props[f"projection.{n}.range"].split(",")
                assert end == "NOW", f"{table.name}: range should end at NOW"
                assert dt.datetime.strptime(start, fmt).date() <= day <= today, \
                    f"{table.name}: {key}: {value} outside {start},{end}"
            elif kind == "integer":
                lo, hi = map(int, props[f"projection.{n}.range"].split(","))
                digits = int(props.get(f"projection.{n}.digits", "1"))
                assert lo <= int(value) <= hi and value == str(int(value)).zfill(digits), \
                    f"{table.name}: {key}: {n}={value} vs range {lo},{hi} digits {digits}"
            else:
                raise AssertionError(f"{table.name}: {n} has projection type {kind!r}")
    if enum_values is not None:
        values = sorted(props.get("projection.resource.values", "").split(","))
        assert values == sorted(enum_values), \
            f"{table.name}: resource enum {values} vs the resources in _manifests/ {enum_values}"


def check_ddl(checks, root, tables):
    # The JSON tables' files; the Parquet twins are checked by check_parquet_ddl.
    keys = [k for k in files_under(root) if not k.endswith(PARQUET)]
    resources = sorted(os.listdir(os.path.join(root, "_manifests")))
    snapshot_rest = rf"run={RUN_ID}/part-\d{{5}}\.json\.gz"
    event_rest = rf"{RUN_ID}-part-\d{{5}}\.json\.gz"

    def coverage():
        data_dirs = sorted({k.split("/")[0] for k in keys if not k.startswith("_")})
        assert data_dirs == resources, f"data folders {data_dirs} vs manifests {resources}"
        assert sorted(set(tables) - {"manifests"}) == resources, \
            f"tables {sorted(tables)} vs resources {resources}"
        assert "manifests" in tables, "no manifests table"
        for t in tables.values():
            loc = t.location[len(S3_ROOT):]
            for k in keys:
                assert not (k.startswith(loc) and k.split("/")[0] in ("_state", "_status")), \
                    f"{t.name}: LOCATION {loc} covers {k}"
    checks.run(f"athena: one table per resource ({len(resources)}) plus manifests", coverage)

    for name in resources:
        t = tables.get(name)
        if t is None:
            continue
        records = [r for k in keys if k.startswith(name + "/") for r in read_part(os.path.join(root, k))]
        checks.run(f"athena ddl {name}: columns, types, mappings", check_columns, t, records)
        if name in EVENT_LOGS:
            checks.run(f"athena ddl {name}: projection vs keys", check_projection, t, keys,
                       ["tenant", "dt", "hour"], event_rest)
        elif name == "changes":
            # The change feed: each compared resource's parts, named after it, in the run.
            checks.run(f"athena ddl {name}: projection vs keys", check_projection, t, keys,
                       ["tenant", "dt"], rf"run={RUN_ID}/[a-z_]+-part-\d{{5}}\.json\.gz")
        else:
            checks.run(f"athena ddl {name}: projection vs keys", check_projection, t, keys,
                       ["tenant", "dt"], snapshot_rest)

    def manifest_table():
        t = tables["manifests"]
        assert t.serde == ION, f"manifests: SerDe {t.serde}, want {ION} (manifests span lines)"
        # resource and tenant are in the body too, and come from the partitions instead.
        check_columns(t, manifests(root), undeclared_ok=("resource", "tenant"))
        # One per run and resource; the change feed's, one per run and compared resource.
        check_projection(t, keys, ["resource", "tenant"], rf"run={RUN_ID}(-[a-z_]+)?\.json", resources)
    checks.run("athena ddl manifests: columns, projection vs keys", manifest_table)

    def partitions_hold_their_rows():
        # dt (and hour) in a key are the run's UTC start day for snapshots and the event's
        # published day and hour for the System Log.
        for k in keys:
            m = re.match(rf"([a-z_]+)/tenant=[^/]+/dt=([^/]+)/run=({RUN_ID})/", k)
            if m and m.group(1) != "system_log":
                day = dt.datetime.strptime(m.group(3)[:8], "%Y%m%d").strftime("%Y-%m-%d")
                assert day == m.group(2), f"{k}: run started on {day}"
            m = re.match(r"(system_log|system_log_ocsf)/tenant=[^/]+/dt=([^/]+)/hour=(\d\d)/", k)
            if m:
                for e in read_part(os.path.join(root, k)):
                    published = e["published"] if m.group(1) == "system_log" else e["metadata"]["original_time"]
                    assert published[:13] == f"{m.group(2)}T{m.group(3)}", \
                        f"{k}: event published {published}"
    checks.run("layout: dt is the run's day; System Log dt/hour is the published hour",
               partitions_hold_their_rows)

    def render_variants():
        out = render("-d", "okta_x", "-t", "acme,globex", "s3://other-bucket")
        assert "${bucket}" not in out and "${prefix}" not in out and "${database}" not in out
        assert out.count("CREATE EXTERNAL TABLE") == len(tables)
        assert "LOCATION 's3://other-bucket/users/'" in out, "empty prefix renders wrongly"
        assert out.count("'projection.tenant.values' = 'acme,globex'") == len(tables)
        assert "`okta_x`.`users`" in out
        for bad in (["https://x/y"], ["s3://Bucket/x"], ["-t", "Acme", "s3://abc"]):
            r = subprocess.run([RENDER, *bad], capture_output=True, text=True)
            assert r.returncode != 0, f"render.sh accepted {bad}"
    checks.run("athena render.sh: placeholders, enum tenants, bad input refused", render_variants)


# What DuckDB reads a Parquet column as, for each Athena type of the Parquet DDL.
PARQUET_TYPES = {("scalar", "string"): "VARCHAR", ("scalar", "timestamp"): "TIMESTAMP WITH TIME ZONE",
                 ("scalar", "bigint"): "BIGINT", ("scalar", "double"): "DOUBLE",
                 ("scalar", "boolean"): "BOOLEAN", ("array", ("scalar", "string")): "VARCHAR[]"}


def check_parquet_ddl(checks, root):
    """queries/athena/parquet/*.sql against the demo's Parquet parts: the columns and types
    of every part, STORED AS PARQUET, and the NDJSON tables' projection over .parquet keys."""
    keys = [k for k in files_under(root) if k.endswith(PARQUET)]
    resources = sorted({k.split("/")[0] for k in keys})
    tables = {}

    def parse():
        for path in sorted(glob.glob(os.path.join(QUERIES, "athena", "parquet", "*.sql"))):
            t = Table(path, render(S3_ROOT, path))
            assert t.file == t.name + ".sql", f"{t.file} creates table {t.name}"
            assert "STORED AS PARQUET" in open(path, encoding="utf-8").read(), t.file
            tables[t.name] = t
        missing = sorted(set(resources) - set(tables))
        assert not missing, f"Parquet parts of {missing} have no table"
    checks.run("athena parquet ddl: one table per resource, STORED AS PARQUET", parse)

    con = duckdb.connect()
    for name in resources:
        t = tables.get(name)
        if t is None:
            continue

        def columns(t=t, name=name):
            want = [(c, PARQUET_TYPES.get(m, repr(m))) for c, m in t.columns]
            for key in (k for k in keys if k.startswith(name + "/")):
                got = [(r[0], r[1]) for r in con.execute(
                    "DESCRIBE SELECT * FROM read_parquet(?, hive_partitioning = false)",
                    [os.path.join(root, key)]).fetchall()]
                assert got == want, f"{name}: {key} has {got}, the DDL {want}"
        checks.run(f"athena parquet ddl {name}: columns and types of every part", columns)
        if name in EVENT_LOGS:
            checks.run(f"athena parquet ddl {name}: projection vs keys", check_projection, t, keys,
                       ["tenant", "dt", "hour"], rf"{RUN_ID}-part-\d{{5}}\.parquet")
        elif name == "changes":
            checks.run(f"athena parquet ddl {name}: projection vs keys", check_projection, t, keys,
                       ["tenant", "dt"], rf"run={RUN_ID}/[a-z_]+-part-\d{{5}}\.parquet")
        else:
            checks.run(f"athena parquet ddl {name}: projection vs keys", check_projection, t, keys,
                       ["tenant", "dt"], rf"run={RUN_ID}/part-\d{{5}}\.parquet")


# ---------------------------------------------------------------- decoys

def ndjson_only(root):
    """A copy of root (hard links) without its Parquet parts."""
    copy = root.rstrip("/") + "-ndjson"
    for key in files_under(root):
        if not key.endswith(PARQUET):
            os.makedirs(os.path.dirname(os.path.join(copy, key)), exist_ok=True)
            os.link(os.path.join(root, key), os.path.join(copy, key))
    return copy


def parquet_twin(key):
    """The Parquet part holding the same events as an NDJSON part (the demo writes both)."""
    return key[: -len(NDJSON)] + PARQUET


def copy_parquet(src, dst, pick):
    """Copies the rows of a Parquet part whose index pick() accepts, keeping the schema.
    Returns how many."""
    assert os.path.exists(src), f"no Parquet twin {src}"
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    con = duckdb.connect()
    rows = con.execute("SELECT count(*) FROM read_parquet(?)", [src]).fetchone()[0]
    keep = [i for i in range(rows) if pick(i)]
    con.execute(f"""COPY (SELECT * EXCLUDE (file_row_number)
                          FROM read_parquet({sql_str(src)}, file_row_number = true)
                          WHERE list_contains({keep!r}::BIGINT[], file_row_number)
                          ORDER BY file_row_number)
                    TO {sql_str(dst)} (FORMAT parquet, COMPRESSION zstd)""")
    return len(keep)


def shift_run(run_id, delta, suffix):
    start = dt.datetime.strptime(run_id[:16], "%Y%m%dT%H%M%SZ") + delta
    return start.strftime("%Y%m%dT%H%M%SZ") + "-" + suffix


def add_decoys(root):
    """Runs and tenants a query must not read, and events a query must not count twice.
    Returns a description of what was added."""
    newest = {}
    for m in manifests(root):
        if m["resource"] not in EVENT_LOGS + ("changes",) and m["status"] == "complete":
            if m["resource"] not in newest or m["run_id"] > newest[m["resource"]]["run_id"]:
                newest[m["resource"]] = m

    def copy_run(m, tenant, run_id, pick, status):
        parts = []
        for p in m["parts"]:
            key = "/".join([m["resource"], f"tenant={tenant}",
                            "dt=" + dt.datetime.strptime(run_id[:8], "%Y%m%d").strftime("%Y-%m-%d"),
                            f"run={run_id}", p["key"].rsplit("/", 1)[1]])
            if p["key"].endswith(PARQUET):
                n = copy_parquet(os.path.join(root, p["key"]), os.path.join(root, key), pick)
            else:
                records = [r for i, r in enumerate(read_part(os.path.join(root, p["key"]))) if pick(i)]
                write_part(os.path.join(root, key), records)
                n = len(records)
            parts.append({"key": key, "records": n, "bytes": 0})
        if status:
            doc = dict(m, tenant=tenant, run_id=run_id, status=status, parts=parts,
                       records=sum(p["records"] for p in parts if p["key"].endswith(NDJSON)))
            if status != "complete":
                doc["reason"] = "a decoy written by query-check"
            path = os.path.join(root, "_manifests", m["resource"], f"tenant={tenant}", f"run={run_id}.json")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                json.dump(doc, f, indent=2)

    for m in newest.values():
        run = m["run_id"]
        copy_run(m, m["tenant"], shift_run(run, dt.timedelta(days=-1), "a0a0"), lambda i: i % 2 == 0, "complete")
        copy_run(m, m["tenant"], shift_run(run, dt.timedelta(minutes=1), "b1b1"), lambda i: i % 3 == 0, "partial")
        copy_run(m, m["tenant"], shift_run(run, dt.timedelta(minutes=2), "c2c2"), lambda i: i % 2 == 1, None)
        copy_run(m, "other", run, lambda i: i % 3 != 0, "complete")

    # The System Log and its OCSF records (parts of the same names, in both formats): a second
    # tenant with two thirds of the events, and the part holding the most failed sign-ins landed
    # again under another run's name (as an overlapping backfill).
    log = os.path.join(root, "system_log")
    log_keys = [k for k in files_under(log) if k.endswith(NDJSON)]
    failures = {}
    for key in log_keys:
        events = read_part(os.path.join(log, key))
        failures[key] = sum(e["eventType"] == "user.session.start" and e["outcome"]["result"] == "FAILURE"
                            for e in events)
        copy = key.replace("tenant=demo/", "tenant=other/", 1)
        for resource in EVENT_LOGS:
            folder = os.path.join(root, resource)
            lines = read_part(os.path.join(folder, key))
            write_part(os.path.join(folder, copy), [e for i, e in enumerate(lines) if i % 3])
            copy_parquet(os.path.join(folder, parquet_twin(key)),
                         os.path.join(folder, parquet_twin(copy)), lambda i: i % 3)
    again = max(failures, key=failures.get)
    for resource in EVENT_LOGS:
        folder = os.path.join(root, resource)
        twice = os.path.join(folder, again.rsplit("/", 1)[0], "20200101T000000Z-d3d3-part-00000.json.gz")
        write_part(twice, read_part(os.path.join(folder, again)))
        copy_parquet(os.path.join(folder, parquet_twin(again)), parquet_twin(twice), lambda i: True)
    return f"{len(newest)} snapshot resources x 3 decoy runs, tenant 'other', {failures[again]} failed sign-ins landed twice"


# ---------------------------------------------------------------- running the queries

def normalize(rows):
    out = []
    for row in rows:
        out.append(tuple(v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v for v in row))
    return out


def compare(name, got, want):
    assert want, f"{name}: the expected answer is empty, so the check would prove nothing"
    assert got, f"{name}: the query returned no rows"
    if got != want:
        extra = [r for r in got if r not in want][:3]
        missing = [r for r in want if r not in got][:3]
        raise AssertionError(f"{name}: {len(got)} rows, want {len(want)}; "
                             f"unexpected {extra}; missing {missing}"
                             + ("; same rows, other order" if sorted(map(repr, got)) == sorted(map(repr, want)) else ""))


def show(name, columns, rows):
    print(f"\n  {name}: {len(rows)} rows")
    shown = [list(map(str, columns))] + [["" if v is None else str(v) for v in r] for r in rows[:5]]
    widths = [min(max(len(r[i]) for r in shown), 28) for i in range(len(columns))]
    for r in shown:
        print("    " + "  ".join(v[:28].ljust(w) for v, w in zip(r, widths)))
    if len(rows) > 5:
        print("    …")
    print()


def duckdb_queries(checks, root, want, flavour):
    """The views and examples of queries/duckdb (flavour "ndjson") or queries/duckdb/parquet."""
    folder = os.path.join(QUERIES, "duckdb", *(["parquet"] if flavour == "parquet" else []))
    con = duckdb.connect()
    con.execute("SET VARIABLE okta_root = ?", [root])
    views = open(os.path.join(folder, "views.sql"), encoding="utf-8").read()
    for statement in duckdb.extract_statements(views):
        con.execute(statement.query)

    files = sorted(glob.glob(os.path.join(folder, "*.sql")))
    names = [os.path.basename(f)[:-4] for f in files if not f.endswith("views.sql")]
    def every_query_checked():
        assert sorted(names) == sorted(want), f"queries {names} vs answers {sorted(want)}"
    checks.run(f"duckdb {flavour}: every query has an expected answer", every_query_checked)
    for name in names:
        def run(name=name):
            result = con.sql(open(os.path.join(folder, name + ".sql"), encoding="utf-8").read())
            rows = normalize(result.fetchall())
            show(f"duckdb {flavour} {name}", result.columns, rows)
            compare(name, rows, want.get(name, []))
        checks.run(f"duckdb {flavour} {name}", run)

    def daily():
        # okta_daily keeps the newest complete run per tenant and day: the real run and the older
        # decoy for demo, the copy for the other tenant.
        got = normalize(con.sql("SELECT tenant, dt, run, count(*) FROM okta_daily('users') "
                                "GROUP BY ALL ORDER BY ALL").fetchall())
        want_rows = []
        for m in sorted(manifests(root), key=lambda m: (m["tenant"], m["run_id"])):
            if m["resource"] == "users" and m["status"] == "complete":
                day = dt.datetime.strptime(m["run_id"][:8], "%Y%m%d").strftime("%Y-%m-%d")
                want_rows = [r for r in want_rows if r[:2] != (m["tenant"], day)]
                want_rows.append((m["tenant"], day, m["run_id"], m["records"]))
        compare("okta_daily('users')", got, sorted(want_rows))
    checks.run(f"duckdb {flavour} okta_daily: newest complete run per tenant and day", daily)


def duck_type(table, model):
    """A json_transform structure for a declared type (struct fields under their JSON keys)."""
    kind = model[0]
    if kind == "scalar":
        return {"string": "VARCHAR", "int": "INTEGER", "bigint": "BIGINT", "double": "DOUBLE",
                "boolean": "BOOLEAN"}[model[1]]
    if kind == "array":
        return [duck_type(table, model[1])]
    if kind == "map":
        return f"MAP({duck_type(table, model[1])}, {duck_type(table, model[2])})"
    return {table.json_key(n): duck_type(table, m) for n, m in model[1]}


def athena_stand_ins(con, root, tables):
    """A DuckDB view per Athena table, built from the DDL alone: the files under the projected
    partitions (all of them, as Athena reads every object there), the declared columns read
    through the SerDe mappings, partition values from the key, and "$path"."""
    con.execute(f"CREATE SCHEMA {DATABASE}")
    for t in tables.values():
        rel = t.template()[len(S3_ROOT):]
        pattern = re.sub(r"\$\{\w+\}", "*", rel) + "**"
        reader = "read_json_objects" if t.serde == ION else "read_ndjson_objects"
        cols = []
        for name, model in t.columns:
            path = sql_str("$." + json.dumps(t.json_key(name)))
            shape = sql_str(json.dumps(duck_type(t, model)))
            cols.append(f"json_transform(json -> {path}, {shape}) AS \"{name.lower()}\"")
        for name, model in t.partitions:
            regex = re.sub(r"\\\$\\\{(\w+)\\\}", lambda m: "([^/]+)" if m.group(1) == name else "[^/]+",
                           re.escape(rel))
            value = f"regexp_extract(filename, {sql_str(regex)}, 1)"
            cols.append((f"CAST({value} AS INTEGER)" if model == ("scalar", "int") else value) + f" AS \"{name}\"")
        cols.append(f"{sql_str(S3_ROOT)} || substr(filename, {len(root) + 2}) AS \"$path\"")
        con.execute(f"CREATE VIEW {DATABASE}.\"{t.name}\" AS SELECT {', '.join(cols)} "
                    f"FROM {reader}({sql_str(os.path.join(root, pattern))}, filename = true)")


def sql_str(s):
    return "'" + s.replace("'", "''") + "'"


def athena_examples(checks, root, tables, want):
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    athena_stand_ins(con, root, tables)

    def all_rows_readable():
        for t in tables.values():
            n = con.execute(f"SELECT count(*) FROM (SELECT * FROM {DATABASE}.\"{t.name}\")").fetchall()[0][0]
            assert n > 0, f"{t.name}: no rows"
    checks.run("athena stand-ins: every table reads every row under its projection", all_rows_readable)

    text = render(S3_ROOT, os.path.join(QUERIES, "athena", "examples.sql"))
    blocks = re.split(r"^-- name: (\w+)\s*$", text, flags=re.M)[1:]
    examples = dict(zip(blocks[0::2], blocks[1::2]))
    def every_example_checked():
        assert sorted(examples) == sorted(want), f"examples {sorted(examples)} vs {sorted(want)}"
    checks.run("athena examples: one per expected answer", every_example_checked)
    for name, sql in examples.items():
        def run(name=name, sql=sql):
            statements = sqlglot.transpile(sql, read="athena", write="duckdb")
            assert len(statements) == 1, f"{name}: {len(statements)} statements"
            result = con.sql(statements[0])
            rows = normalize(result.fetchall())
            show(f"athena {name} (tenant demo, run in DuckDB)", result.columns, rows)
            compare(name, rows, [r[1:] for r in want.get(name, []) if r[0] == "demo"])
        checks.run(f"athena example {name}", run)


# ---------------------------------------------------------------- main

def main():
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        sys.exit(__doc__)
    root = os.path.abspath(sys.argv[1])
    checks = Checks()
    tables = {}

    def parse():
        tables.update(load_tables())
    checks.run("athena ddl: every file renders and parses as one CREATE TABLE", parse)
    if tables:
        check_ddl(checks, root, tables)

    check_parquet_ddl(checks, root)

    pristine = expected_answers(root)
    print("decoys: " + add_decoys(root))
    want = expected_answers(root)

    def decoys_matter():
        # Reading every run instead of the newest complete one would change the answer.
        naive = collections.Counter()
        for key in files_under(os.path.join(root, "users")):
            if key.startswith("tenant=demo/") and key.endswith(NDJSON):
                naive.update(u["status"] for u in read_part(os.path.join(root, "users", key)))
        right = {s: n for t, s, n in want["users_by_status"] if t == "demo"}
        assert dict(naive) != right, "the decoy runs would not change users_by_status"
        assert [r for r in want["users_by_status"] if r[0] == "demo"] == pristine["users_by_status"]
        assert any(r[0] == "other" for rows in want.values() for r in rows), "no rows for tenant other"
    checks.run("decoys change naive answers, not the right ones", decoys_matter)

    duckdb_queries(checks, root, want, "ndjson")
    duckdb_queries(checks, root, want, "parquet")
    if tables:
        # Athena reads every file under a table's LOCATION, so its JSON tables need an output
        # of NDJSON alone (the README says so of `both`): the same files, without the Parquet.
        athena_examples(checks, ndjson_only(root), tables, want)

    print(f"query-check: {checks.passed} passed, {len(checks.failed)} failed")
    sys.exit(1 if checks.failed else 0)


if __name__ == "__main__":
    main()
