"""Validates every OCSF record of an output folder against OCSF 1.8.0 JSON Schemas.

    ocsf_check.py OUT SCHEMA_SOURCE

The schemas are made here, from the schema's source form (SCHEMA_SOURCE, ../shared/ocsf):
ocsf-lib compiles it into one schema (classes with their bases merged, dictionary attributes
resolved), and ocsf-json-schema turns each class into a JSON Schema (required attributes,
enums, `at_least_one` constraints, no attributes beyond the class's). Between the two, three
gaps of ocsf-lib 0.10.4 are bridged, each checked against the source:
- its object-type planner never fires (it tests `type[:-2] == "_t"`), so attributes that name
  an object are marked as objects here;
- it writes absent settings as null, which ocsf-json-schema reads as present;
- what a file declares of its own loses to what it inherits: an object's `constraints`
  (`network_endpoint` would need a name or uid instead of any of ip, uid, name, hostname, …)
  and an attribute's `profile` and `requirement` (API Activity's `api` is required and in no
  profile, yet came out optional and in the cloud profile), so each file's own declarations
  are laid again over what it extends, base first.

Then every record under OUT/system_log_ocsf/ must pass its class's schema (held to the profiles
it declares; each schema must first refuse a broken copy of a record), and the records must
be the System Log's events one to one (`metadata.original_event_uid` against `uuid`). Prints
how many records landed in each class and the share in a specific class (not API Activity).
Ends with "ocsf-check: N passed, N failed"; exits non-zero if any record failed.
"""

import collections
import glob
import gzip
import json
import os
import sys

import jsonschema
from ocsf.compile.compiler import Compilation
from ocsf.compile.options import CompilationOptions
from ocsf.repository import read_repo
from ocsf.schema import to_json
from ocsf_json_schema import OcsfJsonSchema
from referencing import Registry, Resource

VERSION = "1.8.0"
FALLBACK_CLASS = 6003


def compile_schema(source):
    repo = read_repo(source, preserve_raw_data=False)
    schema = json.loads(to_json(Compilation(repo, CompilationOptions()).build()))
    if schema.get("version") != VERSION:
        sys.exit(f"ocsf-check: {source} is OCSF {schema.get('version')}, not {VERSION}")
    schema = without_nulls(schema)
    for kind, folder in (("objects", "objects"), ("classes", "events")):
        files = source_files(source, folder)
        for name, item in schema[kind].items():
            mark_objects(item.get("attributes", {}), schema["objects"], schema["types"])
            declare_own(item, name, files)
    return schema


def without_nulls(value):
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def mark_objects(attributes, objects, types):
    for attribute in attributes.values():
        kind = attribute.get("type")
        if kind in objects and kind not in types:
            attribute["type"] = "object_t"
            attribute["object_type"] = kind


def source_files(source, folder):
    """Each object's or class's source file, by name."""
    files = {}
    for path in glob.glob(os.path.join(source, folder, "**", "*.json"), recursive=True):
        with open(path, encoding="utf-8") as f:
            item = json.load(f)
        if "name" in item:
            files[item["name"]] = item
    return files


def declare_own(item, name, files):
    """Lays the declarations of `name`'s file and those it extends, base first, over `item`."""
    chain = []
    while name in files and name not in [c["name"] for c in chain]:
        chain.append(files[name])
        name = files[name].get("extends")
    attributes = item.get("attributes", {})
    for declared in reversed(chain):
        if "constraints" in declared:
            item["constraints"] = declared["constraints"]
        for attr, decl in declared.get("attributes", {}).items():
            if attr not in attributes or not isinstance(decl, dict):
                continue
            for key in ("profile", "requirement"):
                if key in decl and decl[key] is None:
                    attributes[attr].pop(key, None)
                elif key in decl:
                    attributes[attr][key] = decl[key]


def records(root, resource):
    for path in sorted(glob.glob(os.path.join(root, resource, "**", "*.json.gz"), recursive=True)):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                yield f"{os.path.relpath(path, root)}:{number}", json.loads(line)


def main():
    root, source = sys.argv[1], sys.argv[2]
    schema = compile_schema(source)
    ocsf = OcsfJsonSchema(schema)
    class_names = {c["uid"]: name for name, c in schema["classes"].items()}
    registry = Registry(retrieve=lambda uri: Resource.from_contents(ocsf.get_schema_from_uri(uri)))
    validators = {}
    bitten = set()
    passed = failed = 0
    by_class = collections.Counter()
    seen = collections.Counter()
    for where, record in records(root, "system_log_ocsf"):
        class_uid = record.get("class_uid")
        if class_uid not in class_names:
            print(f"ocsf-check: {where}: no class {class_uid!r} in OCSF {VERSION}")
            failed += 1
            continue
        # A record is held to its class with the profiles it declares, as OCSF has it.
        profiles = tuple(record.get("metadata", {}).get("profiles", []))
        key = (class_uid, profiles)
        if key not in validators:
            validators[key] = jsonschema.Draft202012Validator(
                ocsf.get_class_schema(class_names[class_uid], list(profiles)), registry=registry
            )
        if key not in bitten:
            # The schema must refuse a broken copy, or passing it would prove nothing.
            bitten.add(key)
            broken = dict(record, activity_id=42)
            broken.pop("metadata")
            if validators[key].is_valid(broken):
                print(f"ocsf-check: the {class_names[class_uid]} schema accepts a broken record")
                failed += 1
        errors = list(validators[key].iter_errors(record))
        if errors:
            failed += 1
            if failed <= 20:
                for e in errors[:5]:
                    path = "/".join(str(p) for p in e.absolute_path)
                    print(f"ocsf-check: {where} ({class_names[class_uid]}): {path}: {e.message[:300]}")
        else:
            passed += 1
        by_class[class_uid] += 1
        seen[record.get("metadata", {}).get("original_event_uid")] += 1

    events = collections.Counter(event["uuid"] for _, event in records(root, "system_log"))
    if seen != events:
        missing = sum((events - seen).values())
        extra = sum((seen - events).values())
        print(f"ocsf-check: records are not the events one to one: {missing} events without a record, {extra} records without an event")
        failed += 1
    else:
        passed += 1

    total = sum(by_class.values())
    if total == 0:
        print("ocsf-check: no OCSF records found")
        failed += 1
    for uid, count in sorted(by_class.items()):
        print(f"ocsf-check: {uid} {class_names.get(uid, '?')}: {count} ({100 * count / total:.1f} %)")
    if total:
        specific = total - by_class[FALLBACK_CLASS]
        print(f"ocsf-check: {specific} of {total} records ({100 * specific / total:.1f} %) in a specific class")
    print(f"ocsf-check: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
