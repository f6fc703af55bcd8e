#!/usr/bin/env python3
"""Recomputes an SSJ-DRAW/1 draw from its export folder (or the export .zip) with nothing but SHA-256.

    python3 verify_draw.py DIR|FILE.zip
    python3 verify_draw.py --batch < LIST     folders one per line; prints exit code, tab, folder, tab, verdict

It holds each file to exactly what draw-v1.md §6 fixes and to nothing more, as
`shuangsuiji verify` does: the CSV files byte for byte, manifest.json by value (whitespace, key
order, escaping and the order of team.quotas carry no meaning; strata is a set keyed by label, in
which a stratum without candidates may be listed or left out).

Exit codes, the same as `shuangsuiji verify`:
  0  一致 — every file matches the recomputation.
  3  部分核对 — the draw has officer teams but the folder has no conflicts.csv (a public export
     leaves it out: it is personal data). Candidates, seed, strata and the drawn objects match;
     the teams and the 递补 were NOT rechecked. This is not "一致".
  1  不一致 — a file differs from the recomputation, or the folder is not an SSJ-DRAW/1 export.
  2  usage error.
Standard library only (hashlib, json, zipfile).
"""
import hashlib
import json
import os
import sys
import zipfile

FILES = {"manifest.json", "candidates.csv", "officers.csv", "conflicts.csv", "result.csv",
         "substitutions.csv"}
TOP = {"algorithm", "task_id", "candidate_digest", "commitments", "reveals", "seed", "strata",
       "team", "officer_pool_digest", "conflicts_digest", "officer_cap", "substitutions_digest"}
TEAM_MEMBERS = ["team", "officer_pool_digest", "conflicts_digest", "officer_cap"]
STRATUM = {"label", "num", "den", "min", "N", "k", "reserves"}
TEAM = {"size", "quotas", "initiating_department"}


def sha(b):
    return hashlib.sha256(b).digest()


def hexsha(b):
    return hashlib.sha256(b).hexdigest()


class Mismatch(Exception):
    pass


def fail(name, why):
    raise Mismatch(f"{name}：{why}")


# ---- manifest.json, by value ------------------------------------------------------------------

def no_duplicates(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            fail("manifest.json", f"成员“{k}”出现了两次")
        out[k] = v
    return out


def refuse_constant(name):
    fail("manifest.json", f"不是有效的 JSON：{name}")


def non_negative_int(text):
    # "-0" is refused like any signed number: the manifest's numbers are counts.
    if text.startswith("-"):
        fail("manifest.json", f"数值 {text} 应为非负整数")
    return int(text)


def unicode_only(v):
    """Refuses a lone surrogate escape ("\\ud800"): no Unicode text holds one."""
    items = v.items() if isinstance(v, dict) else enumerate(v) if isinstance(v, list) else []
    for k, x in items:
        for s in (k, x):
            if isinstance(s, str):
                try:
                    s.encode("utf-8")
                except UnicodeEncodeError:
                    fail("manifest.json", "不是有效的 JSON：含有不成对的代理项转义")
        unicode_only(x)


def uint(obj, name, what):
    if name not in obj:
        fail("manifest.json", f"{what}缺少成员“{name}”")
    v = obj[name]
    if type(v) is not int or not 0 <= v < 2 ** 64:
        fail("manifest.json", f"{what}的“{name}”应为非负整数")
    return v


def string(obj, name, what):
    if name not in obj:
        fail("manifest.json", f"{what}缺少成员“{name}”")
    if type(obj[name]) is not str:
        fail("manifest.json", f"{what}的“{name}”应为字符串")
    return obj[name]


def only(obj, allowed, what):
    for k in obj:
        if k not in allowed:
            fail("manifest.json", f"{what}含有 SSJ-DRAW/1 未定义的成员“{k}”")


def read_manifest(raw):
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        fail("manifest.json", "不是有效的 UTF-8 文本")
    if text.startswith("\ufeff"):
        fail("manifest.json", "以字节顺序标记（BOM）开头")
    try:
        m = json.loads(text, object_pairs_hook=no_duplicates, parse_constant=refuse_constant,
                       parse_int=non_negative_int)
    except ValueError as e:
        fail("manifest.json", f"不是有效的 JSON：{e}")
    unicode_only(m)
    if type(m) is not dict:
        fail("manifest.json", "应为 JSON 对象")
    if string(m, "algorithm", "") != "SSJ-DRAW/1":
        fail("manifest.json", "算法不是 SSJ-DRAW/1")
    only(m, TOP, "")
    for name in ("task_id", "candidate_digest", "seed"):
        string(m, name, "")
    for name in ("commitments", "reveals"):
        if type(m.get(name)) is not list or any(type(x) is not str for x in m[name]):
            fail("manifest.json", f"“{name}”应为字符串数组")
    if type(m.get("strata")) is not list:
        fail("manifest.json", "“strata”应为数组")
    labels = set()
    for i, s in enumerate(m["strata"]):
        what = f"strata 第 {i + 1} 项"
        if type(s) is not dict:
            fail("manifest.json", f"{what}应为 JSON 对象")
        only(s, STRATUM, what)
        string(s, "label", what)
        for name in ("num", "den", "min", "N", "k", "reserves"):
            uint(s, name, what)
        if s["label"] in labels:
            fail("manifest.json", f"strata 中分层“{s['label']}”出现了两次")
        labels.add(s["label"])
        if s["den"] == 0 or s["num"] > s["den"]:
            fail("manifest.json", f"分层“{s['label']}”的比例无效")
    if "substitutions_digest" in m:
        string(m, "substitutions_digest", "")
    present = [k for k in TEAM_MEMBERS if k in m]
    if present and len(present) != len(TEAM_MEMBERS):
        missing = next(k for k in TEAM_MEMBERS if k not in m)
        fail("manifest.json", f"有“{present[0]}”却缺少成员“{missing}”")
    if present:
        t = m["team"]
        if type(t) is not dict:
            fail("manifest.json", "team 应为 JSON 对象")
        only(t, TEAM, "team ")
        uint(t, "size", "team ")
        string(t, "initiating_department", "team ")
        if type(t.get("quotas")) is not dict:
            fail("manifest.json", "team.quotas 应为 JSON 对象")
        for d in t["quotas"]:
            uint(t["quotas"], d, "team.quotas ")
            plain("manifest.json", d)
        plain("manifest.json", t["initiating_department"])
        string(m, "officer_pool_digest", "")
        string(m, "conflicts_digest", "")
        uint(m, "officer_cap", "")
    return m


def comparable(strata):
    return {s["label"]: (s["N"], s["k"], s["reserves"]) for s in strata
            if s["N"] or s["k"] or s["reserves"]}


# ---- the frozen CSV files, byte for byte ---------------------------------------------------------

def plain(name, field):
    if not field or any(c in field for c in ',"\r\n\0'):
        fail(name, f"字段“{field}”为空，或含有逗号、双引号、回车、换行或空字符")


def pairs(name, data, header):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        fail(name, "不是有效的 UTF-8 文本")
    if not text.endswith("\n") or text[:-1].split("\n", 1)[0] != header:
        fail(name, "表头或末尾换行不符")
    rows = []
    for line in text[:-1].split("\n")[1:]:
        row = line.split(",")
        if len(row) != 2:
            fail(name, "每行应为以逗号分隔的两列")
        plain(name, row[0])
        plain(name, row[1])
        rows.append((row[0], row[1]))
    return rows


def ascending(name, keys):
    for a, b in zip(keys, keys[1:]):
        if not a < b:
            fail(name, "重复或未按字节升序排列")


# ---- the draw (spec §3, §4) ----------------------------------------------------------------------

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
    return next((m for m in members if dept.get(m) == initiating), members[0])


def check_team(officers, team):
    """What §4 requires of the settings, whatever the conflicts: m ≥ 2, Σ q_d ≤ m, enough
    officers, and in every department with a quota."""
    dept = dict(officers)
    size, quotas = team["size"], team["quotas"]
    if size < 2 or sum(quotas.values()) > size or len(officers) < size:
        fail("officers.csv", "检查组人数、配额与执法人员库不相容")
    for d, q in quotas.items():
        if q > sum(1 for v in dept.values() if v == d):
            fail("officers.csv", f"{d}的配额超过该部门人数")


def teams_for(seed, selected, officers, conflicts, team):
    check_team(officers, team)
    dept = dict(officers)
    size, quotas = team["size"], team["quotas"]
    cap = -(-len(selected) * size // len(officers))
    load = {o: 0 for o in dept}
    out = []
    for key in selected:
        order = walk_order(seed, key, dept)
        members = []
        for first_pass in (True, False):
            for o in order:
                if len(members) == size:
                    break
                if o in members or (o, key) in conflicts or (first_pass and load[o] >= cap):
                    continue
                if may_take(o, members, dept, quotas, size):
                    members.append(o)
            if len(members) == size:
                break
        if len(members) < size:
            fail("officers.csv", f"检查对象 {key} 无法组成检查组")
        for o in members:
            load[o] += 1
        out.append(members)
    return cap, out


def verify(files):
    for name in files:
        if name not in FILES:
            fail(name, "不是 SSJ-DRAW/1 导出目录中的文件")

    def read(name):
        if name not in files:
            fail(name, "缺少此文件")
        return files[name]

    m = read_manifest(read("manifest.json"))
    cand = read("candidates.csv")
    digest = hexsha(cand)
    if digest != m["candidate_digest"]:
        fail("candidates.csv", "SHA-256 与 candidate_digest 不符")
    if "substitutions_digest" in m or "substitutions.csv" in files:
        if hexsha(read("substitutions.csv")) != m.get("substitutions_digest"):
            fail("substitutions.csv", "SHA-256 与 substitutions_digest 不符")
    if len(m["commitments"]) != len(m["reveals"]):
        fail("manifest.json", "承诺值与揭示值数量不一致")
    for c, r in zip(m["commitments"], m["reveals"]):
        if hexsha(b"SSJ-COMMIT/1\0" + r.encode()) != c:
            fail("manifest.json", f"揭示值 {r!r} 与其承诺值不符")
    parts = [b"SSJ-SEED/1", m["task_id"].encode(), digest.encode()] + [r.encode() for r in m["reveals"]]
    seed = sha(b"\0".join(parts))
    rows = pairs("candidates.csv", cand, "key,stratum")
    if not rows:
        fail("candidates.csv", "候选名单为空")
    ascending("candidates.csv", [k.encode() for k, _ in rows])
    # Limits of both verifiers (draw-v1.md appendix): a key of at most 65,535 bytes, at most
    # 65,535 strata.
    if any(len(k.encode()) > 65535 for k, _ in rows):
        fail("candidates.csv", "检查对象代码过长（超过 65,535 字节）")
    if len({s for _, s in rows}) > 65535:
        fail("candidates.csv", "分层数量过多（超过 65,535 个）")
    if seed.hex() != m["seed"]:
        fail("manifest.json", "seed 与重新计算的种子不符")
    ticket = {k: sha(seed + b"E" + k.encode()) for k, _ in rows}
    by_stratum = {}
    for k, s in rows:
        by_stratum.setdefault(s, []).append(k)
    rules = {s["label"]: s for s in m["strata"]}
    for label in rules:
        plain("manifest.json", label)
    selected, reserves, strata = [], {}, []
    for label in sorted(set(by_stratum) | set(rules), key=str.encode):
        r = rules.get(label, {"num": 0, "den": 1, "min": 0})
        keys = sorted(by_stratum.get(label, []), key=lambda k: (ticket[k], k.encode()))
        n = len(keys)
        k = 0 if n == 0 else min(n, max(r["min"], -(-n * r["num"] // r["den"])))
        nres = min(n - k, k)
        strata.append({"label": label, "N": n, "k": k, "reserves": nres})
        selected += [(ticket[x], x, label) for x in keys[:k]]
        reserves[label] = keys[k:k + nres]
    if comparable(strata) != comparable(m["strata"]):
        fail("manifest.json", "strata（各层 N、k、备选数）与重新计算的结果不符")
    selected.sort(key=lambda t: (t[0], t[1].encode()))
    keys = [x for _, x, _ in selected]
    team_of, lead_of, dept, conflicts = {}, {}, {}, set()
    rechecked = True
    if "team" in m:
        off = read("officers.csv")
        if hexsha(off) != m["officer_pool_digest"]:
            fail("officers.csv", "SHA-256 与 officer_pool_digest 不符")
        officers = pairs("officers.csv", off, "officer_id,department")
        ascending("officers.csv", [o.encode() for o, _ in officers])
        if any(";" in o for o, _ in officers):
            fail("officers.csv", "执法人员编号不能包含分号")
        dept = dict(officers)
        if "conflicts.csv" not in files:
            rechecked = False
            check_team(officers, m["team"])
            cap = -(-len(keys) * m["team"]["size"] // len(officers))
        else:
            con = files["conflicts.csv"]
            if hexsha(con) != m["conflicts_digest"]:
                fail("conflicts.csv", "SHA-256 与 conflicts_digest 不符")
            conflict_rows = pairs("conflicts.csv", con, "officer_id,key")
            ascending("conflicts.csv", [(o.encode(), k.encode()) for o, k in conflict_rows])
            conflicts = set(conflict_rows)
            cap, teams = teams_for(seed, keys, officers, conflicts, m["team"])
            for key, members in zip(keys, teams):
                team_of[key] = members
                lead_of[key] = leader(members, dept, m["team"]["initiating_department"])
        if cap != m["officer_cap"]:
            fail("manifest.json", f"officer_cap 应为 {cap}")
    else:
        for name in ("officers.csv", "conflicts.csv"):
            if name in files:
                fail(name, "本次抽取未选派执法人员，不应有此文件")
    lines = ["rank,key,stratum,ticket,officers,leader"]
    for rank, (t, key, label) in enumerate(selected, 1):
        lines.append(f"{rank},{key},{label},{t.hex()},{';'.join(team_of.get(key, []))},{lead_of.get(key, '')}")
    result = read("result.csv")
    if rechecked:
        if result != ("\n".join(lines) + "\n").encode():
            fail("result.csv", "与重新计算的结果不符")
    else:
        result_without_teams(lines, result, dept, m["team"])
    subs = 0
    if "substitutions.csv" in files:
        table = records(files["substitutions.csv"])
        subs = len(table) - 1
        if rechecked:
            replay(table, m, seed, selected, reserves, team_of, dept, conflicts)
    return len(rows), len(keys), subs, rechecked


def result_without_teams(lines, data, dept, team):
    """Rank, key, stratum and ticket byte for byte; each team m distinct officers of the pool
    and the leader the spec's rule names among them."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        fail("result.csv", "不是有效的 UTF-8 文本")
    if not text.endswith("\n"):
        fail("result.csv", "文件应以换行符结束")
    got = text[:-1].split("\n")
    if len(got) != len(lines) or got[0] != lines[0]:
        fail("result.csv", "行数或表头与重新计算的结果不符")
    for n, (e, g) in enumerate(zip(lines[1:], got[1:]), 2):
        prefix = e[:-1]
        if not g.startswith(prefix) or "," not in g[len(prefix):]:
            fail("result.csv", f"第 {n} 行与重新计算的结果不符")
        members, lead = g[len(prefix):].split(",", 1)
        members = members.split(";")
        if len(members) != team["size"] or len(set(members)) != len(members) \
                or any(o not in dept for o in members):
            fail("result.csv", f"第 {n} 行的检查组不是执法人员库中 {team['size']} 名不同的人员")
        if lead != leader(members, dept, team["initiating_department"]):
            fail("result.csv", f"第 {n} 行的组长不符合规则")


def records(data):
    """RFC 4180 with LF line ends, as the platform reads it: a quote only opens a field, a
    closing quote is followed by a comma or LF, no CR outside quotes, a final LF."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        fail("substitutions.csv", "不是有效的 UTF-8 文本")
    out, row, field, quoted, start, i = [], [], [], False, True, 0
    bad = lambda: fail("substitutions.csv", "引号不成对，或文件未以换行符结束")
    while i < len(text):
        c = text[i]
        i += 1
        if quoted:
            if c == '"':
                if text[i:i + 1] == '"':
                    field.append('"')
                    i += 1
                else:
                    quoted = False
                    if text[i:i + 1] not in (",", "\n"):
                        bad()
            else:
                field.append(c)
            continue
        if c == '"' and start:
            quoted, start = True, False
        elif c in '"\r':
            bad()
        elif c == ",":
            row.append("".join(field))
            field, start = [], True
        elif c == "\n":
            row.append("".join(field))
            out.append(row)
            row, field, start = [], [], True
        else:
            field.append(c)
            start = False
    if quoted or field or row:
        bad()
    if not out or out[0] != ["kind", "replaced", "replacement", "reason", "at"]:
        fail("substitutions.csv", "表头应为 kind,replaced,replacement,reason,at")
    for n, r in enumerate(out[1:], 2):
        if len(r) != 5:
            fail("substitutions.csv", f"第 {n} 行应有 5 列")
        if r[0] not in ("object", "officer", "conflict"):
            fail("substitutions.csv", f"第 {n} 行：未知的递补类型 {r[0]}")
    return out


def replay(table, m, seed, selected, reserves, team_of, dept, conflicts):
    slots = [{"key": key, "stratum": label, "team": list(team_of.get(key, [])), "removed": []}
             for _, key, label in selected]
    used = {label: 0 for label in reserves}
    late = set()
    slot = lambda key: next(s for s in slots if s["key"] == key)
    for kind, replaced, replacement, _reason, _at in table[1:]:
        if kind == "object":
            s = slot(replaced)
            nxt = reserves[s["stratum"]][used[s["stratum"]]]
            used[s["stratum"]] += 1
            if nxt != replacement:
                fail("substitutions.csv", f"{replaced} 应由 {nxt} 递补")
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
                fail("substitutions.csv", f"{key} 的执法人员 {old} 应由 {nxt} 递补")
            s["team"].append(nxt)
        else:
            if replaced not in dept:
                fail("substitutions.csv", f"执法人员 {replaced} 不在执法人员库中")
            plain("substitutions.csv", replacement)
            late.add((replaced, replacement))
    for s in slots:
        for o in s["team"]:
            if (o, s["key"]) in conflicts or (o, s["key"]) in late:
                fail("substitutions.csv", f"执法人员 {o} 与检查对象 {s['key']} 存在利害关系，却仍在其检查组中")


def load(path):
    """The files of an export folder, or of the export .zip (one folder inside it)."""
    if os.path.isdir(path):
        return {n: open(os.path.join(path, n), "rb").read() for n in os.listdir(path)
                if os.path.isfile(os.path.join(path, n))}
    with zipfile.ZipFile(path) as z:
        names = [i.filename for i in z.infolist() if not i.is_dir()]
        tops = {n.split("/", 1)[0] for n in names if "/" in n}
        if len(tops) == 1 and all("/" in n for n in names):
            return {n.split("/", 1)[1]: z.read(n) for n in names}
        return {n: z.read(n) for n in names}


def judge(path):
    """(exit code, verdict) of one folder."""
    try:
        n, k, subs, rechecked = verify(load(path))
    except (Mismatch, OSError, ValueError, KeyError, IndexError, StopIteration,
            zipfile.BadZipFile) as e:
        return 1, f"不一致：{e}"
    if rechecked:
        return 0, f"一致：{n} 个候选对象，抽中 {k} 个，递补 {subs} 条"
    return 3, (f"部分核对：候选名单、种子、分层与抽中的 {k} 户一致；检查组与递补未重新核对"
               f"（利害关系声明 conflicts.csv 未公开，需向监督员索取审计用完整文件）")


if __name__ == "__main__":
    args = sys.argv[1:]
    if args == ["--batch"]:
        for path in sys.stdin.read().splitlines():
            code, verdict = judge(path)
            print(f"{code}\t{path}\t{verdict}")
        sys.exit(0)
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    code, verdict = judge(args[0])
    print(verdict)
    sys.exit(code)
