#!/usr/bin/env python3
"""Recomputes an SSJ-DRAW/1 draw from its export folder with nothing but SHA-256.

    python3 verify_draw.py DIR

Exit 0 and "一致" when every file matches the recomputation; otherwise exit 1 naming the
file. Standard library only (hashlib, json, csv); see draw-v1.md beside this script.
"""
import csv
import hashlib
import io
import json
import os
import sys


def sha(b):
    return hashlib.sha256(b).digest()


class Mismatch(Exception):
    pass


def fail(name, why):
    raise Mismatch(f"{name}: {why}")


def pairs(name, data, header):
    text = data.decode("utf-8")
    if not text.endswith("\n") or text.split("\n", 1)[0] != header:
        fail(name, "header or final LF")
    rows = [tuple(line.split(",")) for line in text[:-1].split("\n")[1:]]
    if any(len(r) != 2 or not r[0] or not r[1] for r in rows):
        fail(name, "each line must be two non-empty fields")
    return rows


def teams_for(seed, selected, officers, conflicts, team):
    dept = dict(officers)
    conflict = set(conflicts)
    size, quotas, initiating = team["size"], team["quotas"], team["initiating_department"]
    cap = -(-len(selected) * size // len(officers))
    load = {o: 0 for o in dept}
    out = []
    for key in selected:
        order = walk_order(seed, key, dept)
        members, taken = [], {}
        for first_pass in (True, False):
            for o in order:
                if len(members) == size:
                    break
                if o in members or (o, key) in conflict or (first_pass and load[o] >= cap):
                    continue
                if may_take(o, members, dept, quotas, size):
                    members.append(o)
            if len(members) == size:
                break
        if len(members) < size:
            raise Mismatch(f"no valid team for {key}")
        for o in members:
            load[o] += 1
        out.append(members)
    return cap, out


def walk_order(seed, key, dept):
    oticket = lambda o: sha(seed + b"O" + key.encode() + b"\0" + o.encode())
    return sorted(dept, key=lambda o: (oticket(o), o.encode()))


def may_take(o, members, dept, quotas, size):
    taken = {}
    for m in members:
        taken[dept[m]] = taken.get(dept[m], 0) + 1
    unmet = sum(max(0, q - taken.get(d, 0)) for d, q in quotas.items())
    return taken.get(dept[o], 0) < quotas.get(dept[o], 0) or size - len(members) > unmet


def leader(members, dept, initiating):
    return next((m for m in members if dept[m] == initiating), members[0])


def verify(folder):
    read = lambda n: open(os.path.join(folder, n), "rb").read()
    raw = read("manifest.json")
    m = json.loads(raw)
    if (json.dumps(m, indent=2, ensure_ascii=False) + "\n").encode() != raw:
        fail("manifest.json", "not written the canonical way (changed?)")
    if m["algorithm"] != "SSJ-DRAW/1":
        fail("manifest.json", "algorithm")
    cand = read("candidates.csv")
    digest = hashlib.sha256(cand).hexdigest()
    if digest != m["candidate_digest"]:
        fail("candidates.csv", "SHA-256 differs from candidate_digest")
    for c, r in zip(m["commitments"], m["reveals"]):
        if hashlib.sha256(b"SSJ-COMMIT/1\0" + r.encode()).hexdigest() != c:
            fail("manifest.json", f"reveal {r!r} does not match its commitment")
    if len(m["commitments"]) != len(m["reveals"]):
        fail("manifest.json", "commitments and reveals differ in number")
    parts = [b"SSJ-SEED/1", m["task_id"].encode(), digest.encode()] + [r.encode() for r in m["reveals"]]
    seed = sha(b"\0".join(parts))
    if seed.hex() != m["seed"]:
        fail("manifest.json", "seed")
    rows = pairs("candidates.csv", cand, "key,stratum")
    if [k.encode() for k, _ in rows] != sorted({k.encode() for k, _ in rows}):
        fail("candidates.csv", "keys not unique and ascending")
    ticket = {k: sha(seed + b"E" + k.encode()) for k, _ in rows}
    by_stratum = {}
    for k, s in rows:
        by_stratum.setdefault(s, []).append(k)
    rules = {s["label"]: s for s in m["strata"]}
    selected, reserves, strata = [], {}, []
    for label in sorted(set(by_stratum) | set(rules), key=str.encode):
        r = rules.get(label, {"num": 0, "den": 1, "min": 0})
        keys = sorted(by_stratum.get(label, []), key=lambda k: (ticket[k], k.encode()))
        n = len(keys)
        k = 0 if n == 0 else min(n, max(r["min"], -(-n * r["num"] // r["den"])))
        nres = min(n - k, k)
        strata.append({"label": label, "num": r["num"], "den": r["den"], "min": r["min"], "N": n, "k": k, "reserves": nres})
        selected += [(ticket[x], x, label) for x in keys[:k]]
        reserves[label] = keys[k:k + nres]
    if strata != m["strata"]:
        fail("manifest.json", "strata (N, k, reserves) differ from the recomputation")
    selected.sort(key=lambda t: (t[0], t[1].encode()))
    keys = [x for _, x, _ in selected]
    team_of, lead_of, dept, conflicts = {}, {}, {}, set()
    if "team" in m:
        off, con = read("officers.csv"), read("conflicts.csv")
        if hashlib.sha256(off).hexdigest() != m["officer_pool_digest"]:
            fail("officers.csv", "SHA-256 differs from officer_pool_digest")
        if hashlib.sha256(con).hexdigest() != m["conflicts_digest"]:
            fail("conflicts.csv", "SHA-256 differs from conflicts_digest")
        officers = pairs("officers.csv", off, "officer_id,department")
        conflicts = set(pairs("conflicts.csv", con, "officer_id,key"))
        dept = dict(officers)
        cap, teams = teams_for(seed, keys, officers, conflicts, m["team"])
        if cap != m["officer_cap"]:
            fail("manifest.json", "officer_cap")
        for key, members in zip(keys, teams):
            team_of[key] = members
            lead_of[key] = leader(members, dept, m["team"]["initiating_department"])
    lines = ["rank,key,stratum,ticket,officers,leader"]
    for rank, (t, key, label) in enumerate(selected, 1):
        lines.append(f"{rank},{key},{label},{t.hex()},{';'.join(team_of.get(key, []))},{lead_of.get(key, '')}")
    if read("result.csv") != ("\n".join(lines) + "\n").encode():
        fail("result.csv", "differs from the recomputation")
    if os.path.exists(os.path.join(folder, "substitutions.csv")):
        replay(read("substitutions.csv"), m, seed, keys, selected, reserves, team_of, dept, conflicts)
    return len(rows), len(keys)


def replay(data, m, seed, keys, selected, reserves, team_of, dept, conflicts):
    if hashlib.sha256(data).hexdigest() != m.get("substitutions_digest"):
        fail("substitutions.csv", "SHA-256 differs from substitutions_digest")
    slots = [{"key": key, "stratum": label, "team": list(team_of.get(key, [])), "removed": []}
             for _, key, label in selected]
    used = {label: 0 for label in reserves}
    late = set()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    if rows[0] != ["kind", "replaced", "replacement", "reason", "at"]:
        fail("substitutions.csv", "header")
    slot = lambda key: next(s for s in slots if s["key"] == key)
    for kind, replaced, replacement, _reason, _at in rows[1:]:
        if kind == "object":
            s = slot(replaced)
            nxt = reserves[s["stratum"]][used[s["stratum"]]]
            used[s["stratum"]] += 1
            if nxt != replacement:
                fail("substitutions.csv", f"{replaced} must be replaced by {nxt}")
            s["key"] = nxt
        elif kind == "officer":
            key, old = replaced.rsplit(";", 1)
            s = slot(key)
            s["team"].remove(old)
            s["removed"].append(old)
            nxt = next(o for o in walk_order(seed, key, dept)
                       if o not in s["team"] and o not in s["removed"] and (o, key) not in conflicts
                       and (o, key) not in late and may_take(o, s["team"], dept, m["team"]["quotas"], m["team"]["size"]))
            if f"{key};{nxt}" != replacement:
                fail("substitutions.csv", f"officer {old} of {key} must be replaced by {nxt}")
            s["team"].append(nxt)
        elif kind == "conflict":
            late.add((replaced, replacement))
        else:
            fail("substitutions.csv", f"unknown kind {kind}")
    for s in slots:
        for o in s["team"]:
            if (o, s["key"]) in conflicts or (o, s["key"]) in late:
                fail("substitutions.csv", f"{o} still inspects {s['key']} despite a conflict")


if __name__ == "__main__":
    try:
        n, k = verify(sys.argv[1])
    except (Mismatch, OSError, ValueError, KeyError, StopIteration) as e:
        print(f"不一致 {e}")
        sys.exit(1)
    print(f"一致：{n} 个候选对象，抽中 {k} 个")
