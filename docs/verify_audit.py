#!/usr/bin/env python3
"""Checks shuangsuiji's audit log from its public data alone (docs/audit-log.md).

    python3 verify_audit.py fetch BASE_URL DIR [--saved OLD.json]
    python3 verify_audit.py check DIR [--key HEX] [--saved OLD.json]

`fetch` saves the public API (no login) into DIR in the layout `shuangsuiji audit publish DIR`
writes: checkpoints.json, records.json (every page), consistency/A-B.json for each two successive
checkpoint sizes A < B, and, with --saved, the proofs from each saved size to the latest.

`check` verifies:
  - every checkpoint's Ed25519 signature over its message, along the chain of keys: the first
    checkpoint's key (or --key, which pins it), then each key that a public `audit.key_rotated`
    record endorses, signed by the old key and covered by one of its checkpoints; a retired key
    signing afterwards is refused;
  - a consistency proof between each two successive checkpoints (RFC 9162 §2.1.4.2), equal roots for
    equal sizes, and sizes that never shrink;
  - each public record: format 2, a public action, its seq, its leaf hash H(0x00 || bytes) and its
    inclusion proof (RFC 9162 §2.1.3.2) to the signed root of records.json's tree size;
  - with --saved (a checkpoints.json saved earlier): every checkpoint in it is still part of the
    log — same root at the same size, or a consistency proof from its size to the latest.

Exit 0 and "一致" when all holds; 1 naming the first thing that does not ("不一致"); 2 for a usage
or I/O error. Needs Python 3.8+ and the `cryptography` package (pip install cryptography); SM3 logs
need an OpenSSL with SM3 (hashlib.new("sm3")).
"""
import hashlib
import json
import os
import sys
import urllib.parse
import urllib.request

LOG = "shuangsuiji/audit-log/v1"
ROTATION = "audit.key_rotated"
PUBLIC_ACTIONS = {
    "draw.freeze", "draw.commit", "draw.reveal", "draw.result", "draw.substitute",
    "item_version.publish", ROTATION,
}


class Refused(Exception):
    """The data does not verify: exit 1."""


class Usage(Exception):
    """A usage or I/O problem: exit 2."""


def hasher(alg):
    if alg == "sha256":
        return hashlib.sha256
    if alg == "sm3":
        try:
            hashlib.new("sm3")
        except ValueError:
            raise Usage("本机 Python 的 OpenSSL 不支持 SM3，无法校验 SM3 日志")
        return lambda: hashlib.new("sm3")
    raise Refused(f"未知的哈希算法 {alg!r}")


def digest(alg, *parts):
    h = hasher(alg)()
    for p in parts:
        h.update(p)
    return h.digest()


def node(alg, left, right):
    return digest(alg, b"\x01", left, right)


def unhex(value, what, length=32):
    try:
        b = bytes.fromhex(value)
    except (TypeError, ValueError):
        raise Refused(f"{what} 不是十六进制")
    if value != b.hex() or (length and len(b) != length):
        raise Refused(f"{what} 应为 {length} 字节的小写十六进制")
    return b


def verify_inclusion(alg, index, size, leaf, proof, root):
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(alg, p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(alg, r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(alg, first, second, proof, first_root, second_root):
    """RFC 9162 §2.1.4.2."""
    if first == second:
        return not proof and first_root == second_root
    if first == 0 or first > second or not proof:
        return False
    if first & (first - 1) == 0:
        proof = [first_root] + list(proof)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node(alg, c, fr)
            sr = node(alg, c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node(alg, sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


def ed25519_ok(public_key, signature, message):
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
        return True
    except (InvalidSignature, ValueError):
        return False


def checkpoint_message(c):
    return f"{LOG}\n{c['hash_alg']}\n{c['tree_size']}\n{c['root']}\n{c['at_ms']}\n".encode()


def endorsement_message(alg, old, new):
    return f"shuangsuiji/audit-key-rotation/v1\n{alg}\n{old}\n{new}\n".encode()


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise Refused(f"缺少文件 {path}")
    except (OSError, ValueError) as e:
        raise Refused(f"{path} 无法读取为 JSON：{e}")


def integer(v, what):
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise Refused(f"{what} 应为非负整数")
    return v


def checked_records(d, alg, signed_roots):
    """The public records of records.json, each proven in the signed tree; returns them by seq."""
    page = load(os.path.join(d, "records.json"))
    size = integer(page.get("tree_size"), "records.json 的 tree_size")
    out = {}
    if size == 0:
        return out
    root = unhex(page.get("root"), "records.json 的 root")
    if signed_roots.get(size) != root:
        raise Refused(f"records.json 所依据的树（{size} 条记录）不是已签名的检查点")
    for r in page.get("records", []):
        seq = integer(r.get("seq"), "记录的 seq")
        where = f"records.json 中的记录 #{seq}"
        text = r.get("record")
        if not isinstance(text, str):
            raise Refused(f"{where} 缺少 record")
        try:
            rec = json.loads(text)
        except ValueError:
            raise Refused(f"{where} 不是 JSON")
        if rec.get("v") != 2 or rec.get("seq") != seq:
            raise Refused(f"{where} 的 v 或 seq 不符（应为格式 2、序号 {seq}）")
        if rec.get("action") not in PUBLIC_ACTIONS:
            raise Refused(f"{where} 的操作 {rec.get('action')!r} 不是公开记录")
        leaf = digest(alg, b"\x00", text.encode("utf-8"))
        if leaf != unhex(r.get("leaf_hash"), f"{where} 的 leaf_hash"):
            raise Refused(f"{where} 的叶子哈希与其内容不符（记录被改动）")
        proof = [unhex(h, f"{where} 的证明") for h in r.get("proof", [])]
        if not verify_inclusion(alg, seq, size, leaf, proof, root):
            raise Refused(f"{where} 的包含证明不成立：它不在已签名的 {size} 条记录的树中")
        out[seq] = rec
    return out


def check_chain(checkpoints, rotations, pinned):
    current, covered = pinned, 0
    for i, c in enumerate(checkpoints, 1):
        key = c["public_key"]
        if current is not None and key != current:
            ok = any(
                r["old_public_key"] == current and r["new_public_key"] == key and seq < covered
                and ed25519_ok(
                    unhex(current, "公钥"), unhex(r["endorsement"], "轮换认可签名", 64),
                    endorsement_message(c["hash_alg"], current, key),
                )
                for seq, r in rotations
            )
            if not ok:
                raise Refused(f"第 {i} 个检查点由密钥 {key} 签名，而没有经 {current} 签名认可的轮换记录（或是已轮换掉的旧密钥）")
            covered = 0
        if not ed25519_ok(unhex(key, f"第 {i} 个检查点的公钥"),
                          unhex(c["signature"], f"第 {i} 个检查点的签名", 64), checkpoint_message(c)):
            raise Refused(f"第 {i} 个检查点（{c['tree_size']} 条记录）的签名无效")
        covered = max(covered, c["tree_size"])
        current = key
    return current


def consistency_file(d, a, b):
    return os.path.join(d, "consistency", f"{a}-{b}.json")


def check_consistency(d, alg, a, ra, b, rb):
    path = consistency_file(d, a, b)
    p = load(path)
    if (p.get("from_size"), p.get("to_size")) != (a, b):
        raise Refused(f"{path} 不是 {a} 到 {b} 的一致性证明")
    proof = [unhex(h, f"{path} 中的哈希") for h in p.get("proof", [])]
    if not verify_consistency(alg, a, b, proof, ra, rb):
        raise Refused(f"检查点 {a} 与 {b} 之间的一致性证明不成立（{path}）：较早的日志不是较新日志的前缀")


def check(d, pinned=None, saved=None):
    doc = load(os.path.join(d, "checkpoints.json"))
    cps = doc.get("checkpoints")
    if not isinstance(cps, list) or not cps:
        raise Refused("checkpoints.json 中没有检查点")
    alg = doc.get("hash_alg")
    hasher(alg)
    roots = {}
    for i, c in enumerate(cps, 1):
        integer(c.get("tree_size"), f"第 {i} 个检查点的 tree_size")
        integer(c.get("at_ms"), f"第 {i} 个检查点的 at_ms")
        if c.get("hash_alg") != alg:
            raise Refused(f"第 {i} 个检查点的哈希算法与日志不同")
        root = unhex(c.get("root"), f"第 {i} 个检查点的根哈希")
        if roots.setdefault(c["tree_size"], root) != root:
            raise Refused(f"两个检查点在 {c['tree_size']} 条记录处的根哈希不同")
    records = checked_records(d, alg, roots)
    rotations = [(seq, r["after"]) for seq, r in sorted(records.items())
                 if r["action"] == ROTATION and isinstance(r.get("after"), dict)]
    last_key = check_chain(cps, rotations, pinned)
    for prev, c in zip(cps, cps[1:]):
        a, b = prev["tree_size"], c["tree_size"]
        if b < a:
            raise Refused(f"检查点的记录数从 {a} 减少到 {b}：日志被截短")
        if a < b:
            check_consistency(d, alg, a, roots[a], b, roots[b])
    latest = cps[-1]["tree_size"]
    saved_n = 0
    if saved:
        old = load(saved).get("checkpoints", [])
        for c in old:
            s, r = c["tree_size"], unhex(c["root"], "保存的检查点的根哈希")
            if not ed25519_ok(unhex(c["public_key"], "公钥"), unhex(c["signature"], "签名", 64), checkpoint_message(c)):
                raise Refused(f"保存的检查点（{s} 条记录）自身的签名无效")
            if s > latest:
                raise Refused(f"保存的检查点有 {s} 条记录，而现在的日志只有 {latest} 条：日志被截短")
            if s in roots:
                if roots[s] != r:
                    raise Refused(f"保存的检查点（{s} 条记录）的根哈希 {c['root']} 与现在同一规模的检查点不同：日志被改写")
            elif not os.path.exists(consistency_file(d, s, latest)):
                raise Refused(f"缺少 {consistency_file(d, s, latest)}：请用 fetch --saved 取得从 {s} 到 {latest} 的一致性证明")
            else:
                try:
                    check_consistency(d, alg, s, r, latest, roots[latest])
                except Refused as e:
                    raise Refused(f"保存的检查点（{s} 条记录）与现在的日志不一致：日志被改写。{e}")
            saved_n += 1
    return len(cps), len(records), latest, last_key, saved_n


def get_json(base, path):
    url = base.rstrip("/") + path
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return json.load(r)
    except OSError as e:
        raise Usage(f"无法取得 {url}：{e}")


def write(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, indent=2)
        f.write("\n")


def fetch(base, d, saved=None):
    cps = get_json(base, "/api/v1/audit/checkpoints")
    write(os.path.join(d, "checkpoints.json"), cps)
    page = get_json(base, "/api/v1/audit/records?from_seq=0")
    merged = dict(page)
    while page.get("next_from_seq") is not None:
        page = get_json(base, f"/api/v1/audit/records?from_seq={page['next_from_seq']}")
        merged["records"] = merged["records"] + page["records"]
    merged["next_from_seq"] = None
    write(os.path.join(d, "records.json"), merged)
    sizes = [c["tree_size"] for c in cps["checkpoints"]]
    pairs = {(a, b) for a, b in zip(sizes, sizes[1:]) if 0 < a < b}
    if saved and sizes:
        pairs |= {(c["tree_size"], sizes[-1]) for c in load(saved).get("checkpoints", [])
                  if 0 < c["tree_size"] < sizes[-1]}
    for a, b in sorted(pairs):
        write(consistency_file(d, a, b), get_json(base, f"/api/v1/audit/consistency?from={a}&to={b}"))
    return len(sizes), len(merged["records"])


def main(argv):
    args, opts = [], {}
    it = iter(argv[1:])
    for a in it:
        if a in ("--key", "--saved"):
            opts[a] = next(it, None)
            if opts[a] is None:
                raise Usage(f"{a} 需要一个值")
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            args.append(a)
    if len(args) == 3 and args[0] == "fetch":
        n, r = fetch(args[1], args[2], opts.get("--saved"))
        print(f"已保存 {n} 个检查点、{r} 条公开记录到 {args[2]}")
        return 0
    if len(args) == 2 and args[0] == "check":
        pinned = opts.get("--key")
        if pinned is not None:
            unhex(pinned, "--key")
        n, r, size, key, saved_n = check(args[1], pinned, opts.get("--saved"))
        note = f"，保存的 {saved_n} 个检查点仍在日志中" if opts.get("--saved") else ""
        pin = "" if pinned else "（首个检查点的公钥未经 --key 核对，请与官方公布的公钥比对）"
        print(f"一致：{n} 个检查点的签名和相互之间的一致性证明成立，{r} 条公开记录均在已签名的日志中"
              f"（{size} 条记录）{note}。当前签名公钥 {key}{pin}")
        return 0
    raise Usage(__doc__)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Refused as e:
        print(f"不一致：{e}", file=sys.stderr)
        sys.exit(1)
    except Usage as e:
        print(str(e), file=sys.stderr)
        sys.exit(2)
    except ImportError as e:
        print(f"缺少 Python 包（pip install cryptography）：{e}", file=sys.stderr)
        sys.exit(2)
