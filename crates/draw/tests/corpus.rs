//! One corpus of export folders that both verifiers — `ssj_draw::verify` (behind
//! `shuangsuiji verify`) and docs/verify_draw.py — must judge the same way, folder by folder
//! (draw-v1.md §6): accepted ones written as other correct implementations may write them
//! (other JSON layouts, key and quota orders, strata orders, empty strata listed or not, folders
//! built from the vectors alone), the public folder without conflicts.csv (部分核对, exit 3), and
//! refused ones (each byte of each CSV file changed, changed manifest values, members missing or
//! extra or repeated, files missing or extra, CRLF, a BOM, uppercase hex).

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;
use ssj_draw::*;

mod common;

type Files = BTreeMap<String, Vec<u8>>;
/// A change made to a manifest's tree.
type Edit<'a> = &'a dyn Fn(&mut J);

const ACCEPTED: u8 = 0;
const REFUSED: u8 = 1;
const PARTIAL: u8 = 3;

/// JSON with its member order kept, so that a case can choose the order it writes.
#[derive(Clone, Debug)]
enum J {
    S(String),
    N(u64),
    /// A number written as it stands (`1.0`, `-1`).
    Raw(String),
    A(Vec<J>),
    O(Vec<(String, J)>),
}

#[derive(Clone, Copy)]
struct Style {
    indent: Option<&'static str>,
    /// Between tokens where whitespace may go.
    gap: &'static str,
    ascii: bool,
    escape_all: bool,
    escape_slash: bool,
}

const COMPACT: Style = Style {
    indent: None,
    gap: "",
    ascii: false,
    escape_all: false,
    escape_slash: false,
};

impl J {
    fn from_value(v: &Value) -> J {
        match v {
            Value::String(s) => J::S(s.clone()),
            Value::Number(n) => J::N(n.as_u64().unwrap()),
            Value::Array(a) => J::A(a.iter().map(J::from_value).collect()),
            Value::Object(o) => J::O(
                o.iter()
                    .map(|(k, v)| (k.clone(), J::from_value(v)))
                    .collect(),
            ),
            other => panic!("not in a manifest: {other}"),
        }
    }

    fn string(s: &str, st: Style, out: &mut String) {
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '/' if st.escape_slash => out.push_str("\\/"),
                c if (c as u32) < 0x20 || st.escape_all || (st.ascii && !c.is_ascii()) => {
                    let mut units = [0u16; 2];
                    for u in c.encode_utf16(&mut units) {
                        out.push_str(&format!("\\u{u:04x}"));
                    }
                }
                c => out.push(c),
            }
        }
        out.push('"');
    }

    fn write(&self, st: Style, depth: usize, out: &mut String) {
        let newline = |out: &mut String, depth: usize| {
            if let Some(i) = st.indent {
                out.push('\n');
                out.push_str(&i.repeat(depth));
            }
            out.push_str(st.gap);
        };
        match self {
            J::S(s) => J::string(s, st, out),
            J::N(n) => out.push_str(&n.to_string()),
            J::Raw(r) => out.push_str(r),
            J::A(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, depth + 1);
                    item.write(st, depth + 1, out);
                }
                if !items.is_empty() {
                    newline(out, depth);
                }
                out.push(']');
            }
            J::O(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, depth + 1);
                    J::string(k, st, out);
                    out.push(':');
                    out.push_str(st.gap);
                    if st.indent.is_some() {
                        out.push(' ');
                    }
                    v.write(st, depth + 1, out);
                }
                if !members.is_empty() {
                    newline(out, depth);
                }
                out.push('}');
            }
        }
    }

    fn render(&self, st: Style) -> Vec<u8> {
        let mut out = String::new();
        self.write(st, 0, &mut out);
        out.push('\n');
        out.into_bytes()
    }

    fn members(&mut self) -> &mut Vec<(String, J)> {
        match self {
            J::O(m) => m,
            _ => panic!("not an object"),
        }
    }

    fn get(&mut self, key: &str) -> &mut J {
        &mut self
            .members()
            .iter_mut()
            .find(|(k, _)| k == key)
            .unwrap_or_else(|| panic!("no member {key}"))
            .1
    }

    fn items(&mut self) -> &mut Vec<J> {
        match self {
            J::A(a) => a,
            _ => panic!("not an array"),
        }
    }

    /// Every object's members in reverse order, at every depth.
    fn reversed(&self) -> J {
        match self {
            J::O(m) => J::O(
                m.iter()
                    .rev()
                    .map(|(k, v)| (k.clone(), v.reversed()))
                    .collect(),
            ),
            J::A(a) => J::A(a.iter().map(J::reversed).collect()),
            other => other.clone(),
        }
    }
}

fn hex_sha(bytes: &[u8]) -> String {
    ssj_draw::hash::sha256_hex(bytes)
}

/// A folder whose manifest is kept as a tree, to be written in any style.
#[derive(Clone)]
struct Base {
    name: &'static str,
    files: Files,
    manifest: J,
    has_team: bool,
}

impl Base {
    fn with_manifest(&self, m: &J, st: Style) -> Files {
        let mut files = self.files.clone();
        files.insert("manifest.json".into(), m.render(st));
        files
    }
}

/// The folder the platform writes (with one of each kind of 递补).
fn platform_base() -> Base {
    let files = common::folder(&common::fixture());
    let value: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    Base {
        name: "platform",
        manifest: J::from_value(&value),
        files,
        has_team: true,
    }
}

/// A folder written from a vector alone — its inputs and expected values, by hand, with the
/// manifest's members and `team.quotas` in the vector's own order (not sorted).
fn vector_base(case: &Value, name: &'static str) -> Base {
    let (input, expected) = (&case["input"], &case["expected"]);
    let s = |v: &Value| v.as_str().unwrap().to_string();
    let pairs_file = |header: &str, rows: &Value| -> Vec<u8> {
        let mut rows: Vec<(String, String)> = rows
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (s(&r[0]), s(&r[1])))
            .collect();
        rows.sort_by(|a, b| {
            (a.0.as_bytes(), a.1.as_bytes()).cmp(&(b.0.as_bytes(), b.1.as_bytes()))
        });
        let mut out = format!("{header}\n");
        for (a, b) in rows {
            out.push_str(&format!("{a},{b}\n"));
        }
        out.into_bytes()
    };
    let mut files = Files::new();
    files.insert(
        "candidates.csv".into(),
        pairs_file("key,stratum", &input["candidates"]),
    );
    assert_eq!(
        hex_sha(&files["candidates.csv"]),
        s(&expected["candidate_digest"])
    );
    let mut result = String::from("rank,key,stratum,ticket,officers,leader\n");
    for row in expected["selected"].as_array().unwrap() {
        let officers: Vec<String> = row
            .get("officers")
            .map(|o| o.as_array().unwrap().iter().map(s).collect())
            .unwrap_or_default();
        result.push_str(&format!(
            "{},{},{},{},{},{}\n",
            row["rank"],
            s(&row["key"]),
            s(&row["stratum"]),
            s(&row["ticket"]),
            officers.join(";"),
            row.get("leader").map(s).unwrap_or_default()
        ));
    }
    files.insert("result.csv".into(), result.into_bytes());
    let strings = |v: &Value| J::A(v.as_array().unwrap().iter().map(|x| J::S(s(x))).collect());
    let strata = J::A(
        expected["strata"]
            .as_array()
            .unwrap()
            .iter()
            .map(J::from_value)
            .collect(),
    );
    let mut members = vec![
        ("algorithm".to_string(), J::S("SSJ-DRAW/1".into())),
        ("task_id".into(), J::S(s(&input["task_id"]))),
        (
            "candidate_digest".into(),
            J::S(s(&expected["candidate_digest"])),
        ),
        ("commitments".into(), strings(&input["commitments"])),
        ("reveals".into(), strings(&input["reveals"])),
        ("seed".into(), J::S(s(&expected["seed"]))),
        ("strata".into(), strata),
    ];
    let has_team = input.get("team").is_some();
    if has_team {
        files.insert(
            "officers.csv".into(),
            pairs_file("officer_id,department", &input["officers"]),
        );
        files.insert(
            "conflicts.csv".into(),
            pairs_file("officer_id,key", &input["conflicts"]),
        );
        assert_eq!(
            hex_sha(&files["officers.csv"]),
            s(&expected["officer_pool_digest"])
        );
        // serde_json keeps no order: the vector's quota order is read from its text.
        let team = &input["team"];
        members.push((
            "team".into(),
            J::O(vec![
                ("size".into(), J::N(team["size"].as_u64().unwrap())),
                ("quotas".into(), J::O(vector_quota_order())),
                (
                    "initiating_department".into(),
                    J::S(s(&team["initiating_department"])),
                ),
            ]),
        ));
        members.push((
            "officer_pool_digest".into(),
            J::S(s(&expected["officer_pool_digest"])),
        ));
        members.push((
            "conflicts_digest".into(),
            J::S(s(&expected["conflicts_digest"])),
        ));
        members.push((
            "officer_cap".into(),
            J::N(expected["officer_cap"].as_u64().unwrap()),
        ));
    }
    let manifest = J::O(members);
    files.insert("manifest.json".into(), manifest.render(COMPACT));
    Base {
        name,
        files,
        manifest,
        has_team,
    }
}

fn vectors_text() -> String {
    let path = format!(
        "{}/../../../shared/reference/draw-v1-vectors.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).unwrap()
}

/// `team.quotas` of the vector with officers, in the order its text gives them.
fn vector_quota_order() -> Vec<(String, J)> {
    let text = vectors_text();
    let at = text.find("\"quotas\"").unwrap();
    let open = at + text[at..].find('{').unwrap();
    let close = open + text[open..].find('}').unwrap();
    text[open + 1..close]
        .split(',')
        .map(|pair| {
            let (k, v) = pair.split_once(':').unwrap();
            let k: String = serde_json::from_str(k.trim()).unwrap();
            (k, J::N(v.trim().parse().unwrap()))
        })
        .collect()
}

struct Case {
    name: String,
    files: Files,
    expect: u8,
}

fn case(cases: &mut Vec<Case>, name: String, files: Files, expect: u8) {
    cases.push(Case {
        name,
        files,
        expect,
    });
}

fn accepted(cases: &mut Vec<Case>, b: &Base) {
    let styles = [
        ("compact", COMPACT),
        (
            "indent4",
            Style {
                indent: Some("    "),
                ..COMPACT
            },
        ),
        (
            "tabs-crlf",
            Style {
                indent: Some("\t"),
                gap: "\r\n \t",
                ..COMPACT
            },
        ),
        (
            "ascii-escaped",
            Style {
                ascii: true,
                ..COMPACT
            },
        ),
        (
            "all-escaped",
            Style {
                escape_all: true,
                escape_slash: true,
                ..COMPACT
            },
        ),
    ];
    let full_and_public = |cases: &mut Vec<Case>, name: String, files: Files| {
        if b.has_team {
            let mut public = files.clone();
            public.remove("conflicts.csv");
            case(cases, format!("{name}/public"), public, PARTIAL);
        }
        case(cases, name, files, ACCEPTED);
    };
    full_and_public(cases, format!("{}/as-written", b.name), b.files.clone());
    for (style, st) in styles {
        full_and_public(
            cases,
            format!("{}/{style}", b.name),
            b.with_manifest(&b.manifest, st),
        );
    }
    full_and_public(
        cases,
        format!("{}/keys-reversed", b.name),
        b.with_manifest(&b.manifest.reversed(), COMPACT),
    );
    let mut m = b.manifest.clone();
    m.get("strata").items().reverse();
    full_and_public(
        cases,
        format!("{}/strata-reversed", b.name),
        b.with_manifest(&m, COMPACT),
    );
    // A stratum with a rule and no candidate, listed (N = k = reserves = 0).
    let mut m = b.manifest.clone();
    m.get("strata").items().insert(
        1,
        J::O(vec![
            ("label".into(), J::S("Z 无候选".into())),
            ("num".into(), J::N(5)),
            ("den".into(), J::N(100)),
            ("min".into(), J::N(1)),
            ("N".into(), J::N(0)),
            ("k".into(), J::N(0)),
            ("reserves".into(), J::N(0)),
        ]),
    );
    full_and_public(
        cases,
        format!("{}/empty-stratum-listed", b.name),
        b.with_manifest(&m, COMPACT),
    );
    if b.has_team {
        let mut m = b.manifest.clone();
        m.get("team").get("quotas").members().reverse();
        full_and_public(
            cases,
            format!("{}/quotas-reversed", b.name),
            b.with_manifest(&m, COMPACT),
        );
    }
}

/// The byte that replaces `b` in a changed file: another of the same kind where one exists, so
/// that the change looks like data, not damage.
fn changed(b: u8) -> u8 {
    match b {
        b'0'..=b'8' | b'a'..=b'e' | b'A'..=b'Y' => b + 1,
        b'9' => b'0',
        b'f' => b'a',
        b'Z' => b'A',
        b'\n' => b',',
        b',' => b';',
        b';' => b',',
        other => other ^ 0x01,
    }
}

fn refused(cases: &mut Vec<Case>, b: &Base, every_byte: bool) {
    let mut add =
        |name: String, files: Files| case(cases, format!("{}/{name}", b.name), files, REFUSED);
    // Each byte of each CSV file.
    for file in [
        "candidates.csv",
        "officers.csv",
        "conflicts.csv",
        "result.csv",
        "substitutions.csv",
    ] {
        let Some(bytes) = b.files.get(file) else {
            continue;
        };
        let step = if every_byte { 1 } else { 7 };
        for at in (0..bytes.len()).step_by(step) {
            let mut files = b.files.clone();
            let f = files.get_mut(file).unwrap();
            f[at] = changed(f[at]);
            add(format!("{file}/byte-{at}"), files);
        }
    }
    // Files missing or extra.
    for file in b.files.keys() {
        if file == "conflicts.csv" {
            continue; // the public folder: 部分核对
        }
        let mut files = b.files.clone();
        files.remove(file);
        add(format!("missing-{file}"), files);
    }
    let mut files = b.files.clone();
    files.insert("README.txt".into(), b"notes".to_vec());
    add("extra-file".into(), files);
    if !b.has_team {
        let mut files = b.files.clone();
        files.insert(
            "officers.csv".into(),
            b"officer_id,department\nOF1,A\n".to_vec(),
        );
        add("officers-without-team".into(), files);
    }
    // Manifest values changed.
    let with = |f: &dyn Fn(&mut J)| {
        let mut m = b.manifest.clone();
        f(&mut m);
        b.with_manifest(&m, COMPACT)
    };
    let flip = |s: &mut String| {
        let last = s.pop().unwrap();
        s.push(if last == '0' { '1' } else { '0' });
    };
    let mut scalar = |name: &str, f: &dyn Fn(&mut J)| add(format!("manifest/{name}"), with(f));
    scalar("task_id", &|m| {
        if let J::S(s) = m.get("task_id") {
            s.push('X')
        }
    });
    for key in ["candidate_digest", "seed"] {
        scalar(key, &|m| {
            if let J::S(s) = m.get(key) {
                flip(s)
            }
        });
        scalar(&format!("{key}-uppercase"), &|m| {
            if let J::S(s) = m.get(key) {
                *s = s.to_uppercase()
            }
        });
    }
    scalar("commitment-uppercase", &|m| {
        if let J::S(s) = &mut m.get("commitments").items()[0] {
            *s = s.to_uppercase()
        }
    });
    scalar("commitment", &|m| {
        if let J::S(s) = &mut m.get("commitments").items()[1] {
            flip(s)
        }
    });
    scalar("reveal", &|m| {
        if let J::S(s) = &mut m.get("reveals").items()[2] {
            s.push('0')
        }
    });
    scalar("reveal-dropped", &|m| {
        m.get("reveals").items().pop();
        m.get("commitments").items().pop();
    });
    scalar("algorithm", &|m| {
        *m.get("algorithm") = J::S("SSJ-DRAW/2".into())
    });
    for field in ["N", "k", "reserves"] {
        scalar(&format!("strata-{field}"), &|m| {
            if let J::N(n) = m.get("strata").items()[0].get(field) {
                *n += 1
            }
        });
    }
    scalar("strata-min", &|m| {
        let s = &mut m.get("strata").items()[3];
        let J::N(n) = *s.get("N") else { unreachable!() };
        *s.get("min") = J::N(n);
    });
    scalar("strata-label", &|m| {
        if let J::S(s) = m.get("strata").items()[0].get("label") {
            s.push('2')
        }
    });
    scalar("strata-den-zero", &|m| {
        *m.get("strata").items()[0].get("den") = J::N(0)
    });
    scalar("stratum-dropped", &|m| {
        m.get("strata").items().remove(0);
    });
    scalar("stratum-repeated", &|m| {
        let first = m.get("strata").items()[0].clone();
        m.get("strata").items().push(first);
    });
    scalar("number-as-float", &|m| {
        *m.get("strata").items()[0].get("num") = J::Raw("1.0".into())
    });
    scalar("number-as-string", &|m| {
        *m.get("strata").items()[0].get("k") = J::S("1".into())
    });
    scalar("number-negative", &|m| {
        *m.get("strata").items()[0].get("min") = J::Raw("-1".into())
    });
    scalar("extra-member", &|m| {
        m.members().push(("note".into(), J::S("x".into())))
    });
    scalar("extra-member-in-stratum", &|m| {
        m.get("strata").items()[0]
            .members()
            .push(("weight".into(), J::N(1)))
    });
    scalar("member-repeated", &|m| {
        let seed = m.get("seed").clone();
        m.members().push(("seed".into(), seed));
    });
    let names: Vec<String> = b
        .manifest
        .clone()
        .members()
        .iter()
        .map(|(k, _)| k.clone())
        .collect();
    for name in &names {
        scalar(&format!("missing-member-{name}"), &|m| {
            m.members().retain(|(k, _)| k != name)
        });
    }
    if b.has_team {
        scalar("team-size", &|m| {
            if let J::N(n) = m.get("team").get("size") {
                *n += 1
            }
        });
        scalar("team-quota", &|m| {
            let J::N(size) = *m.get("team").get("size") else {
                unreachable!()
            };
            if let (_, J::N(q)) = &mut m.get("team").get("quotas").members()[0] {
                *q = size
            }
        });
        scalar("team-initiating", &|m| {
            let J::S(current) = m.get("team").get("initiating_department").clone() else {
                unreachable!()
            };
            let departments: Vec<String> = m
                .get("team")
                .get("quotas")
                .members()
                .iter()
                .map(|(d, _)| d.clone())
                .collect();
            let other = departments.into_iter().find(|d| *d != current).unwrap();
            *m.get("team").get("initiating_department") = J::S(other);
        });
        scalar("officer_cap", &|m| {
            if let J::N(n) = m.get("officer_cap") {
                *n += 1
            }
        });
        for key in ["officer_pool_digest", "conflicts_digest"] {
            scalar(key, &|m| {
                if let J::S(s) = m.get(key) {
                    flip(s)
                }
            });
        }
        scalar("extra-member-in-team", &|m| {
            m.get("team")
                .members()
                .push(("leader_rule".into(), J::S("x".into())))
        });
    }
    // Found by an outsider's probe: numbers and text no correct writer produces, and settings
    // no correct draw has, with or without conflicts.csv.
    scalar("number-minus-zero", &|m| {
        *m.get("strata").items()[0].get("min") = J::Raw("-0".into())
    });
    if b.has_team {
        let compact = String::from_utf8(b.manifest.render(COMPACT)).unwrap();
        let mut files = b.files.clone();
        files.insert(
            "manifest.json".into(),
            compact
                .replacen("\"quotas\":{", "\"quotas\":{\"\\ud800\":0,", 1)
                .into_bytes(),
        );
        add("manifest/lone-surrogate-quota".into(), files);
        let impossible: [(&str, Edit); 3] = [
            ("team-size-1", &|m| *m.get("team").get("size") = J::N(1)),
            ("quota-over-size", &|m| {
                if let (_, J::N(q)) = &mut m.get("team").get("quotas").members()[0] {
                    *q = 50
                }
            }),
            ("quota-overflow", &|m| {
                if let (_, J::N(q)) = &mut m.get("team").get("quotas").members()[0] {
                    *q = u64::MAX
                }
            }),
        ];
        for (name, f) in impossible {
            let files = with(f);
            let mut public = files.clone();
            public.remove("conflicts.csv");
            add(format!("manifest/{name}"), files);
            add(format!("manifest/{name}/public"), public);
        }
    }
    let mut files = b.files.clone();
    files.insert("substitutions.csv".into(), Vec::new());
    let mut m = b.manifest.clone();
    m.members().retain(|(k, _)| k != "substitutions_digest");
    m.members()
        .push(("substitutions_digest".into(), J::S(hex_sha(b""))));
    files.insert("manifest.json".into(), m.render(COMPACT));
    add("substitutions-empty-file".into(), files);

    // The frozen candidate file in another form, its digest and seed made to agree.
    let reform = |bytes: Vec<u8>| -> Files {
        let mut m = b.manifest.clone();
        let digest = hex_sha(&bytes);
        let J::S(task) = m.get("task_id").clone() else {
            unreachable!()
        };
        let reveals: Vec<String> = m
            .get("reveals")
            .items()
            .iter()
            .map(|r| match r {
                J::S(s) => s.clone(),
                _ => unreachable!(),
            })
            .collect();
        *m.get("candidate_digest") = J::S(digest.clone());
        *m.get("seed") = J::S(derive_seed(&task, &digest, &reveals).hex());
        let mut files = b.with_manifest(&m, COMPACT);
        files.insert("candidates.csv".into(), bytes);
        files
    };
    let candidates = String::from_utf8(b.files["candidates.csv"].clone()).unwrap();
    add(
        "candidates-crlf".into(),
        reform(candidates.replace('\n', "\r\n").into_bytes()),
    );
    add(
        "candidates-bom".into(),
        reform(format!("\u{feff}{candidates}").into_bytes()),
    );
    let mut files = b.files.clone();
    files.insert(
        "manifest.json".into(),
        [&b"\xEF\xBB\xBF"[..], &b.files["manifest.json"]].concat(),
    );
    add("manifest-bom".into(), files);
    let result = String::from_utf8(b.files["result.csv"].clone()).unwrap();
    let mut files = b.files.clone();
    files.insert(
        "result.csv".into(),
        result
            .to_uppercase()
            .replace(
                "RANK,KEY,STRATUM,TICKET,OFFICERS,LEADER",
                "rank,key,stratum,ticket,officers,leader",
            )
            .into_bytes(),
    );
    add("result-uppercase-hex".into(), files);
    let mut files = b.files.clone();
    files.insert(
        "result.csv".into(),
        result.replace('\n', "\r\n").into_bytes(),
    );
    add("result-crlf".into(), files);
}

fn ours(files: &Files) -> (u8, String) {
    match verify(files) {
        Ok(v) => (v.exit_code(), v.verdict()),
        Err(e) => (REFUSED, e.to_string()),
    }
}

#[test]
fn both_verifiers_judge_every_folder_of_the_corpus_alike() {
    let vectors: Vec<Value> = serde_json::from_str(&vectors_text()).unwrap();
    let bases = [
        platform_base(),
        vector_base(&vectors[0], "vector-strata-only"),
        vector_base(&vectors[1], "vector-with-officers"),
    ];
    let mut cases = Vec::new();
    for (i, b) in bases.iter().enumerate() {
        accepted(&mut cases, b);
        refused(&mut cases, b, i == 0);
    }
    let dir = tempfile::tempdir().unwrap();
    let mut list = String::new();
    for (i, c) in cases.iter().enumerate() {
        let folder = dir.path().join(i.to_string());
        std::fs::create_dir(&folder).unwrap();
        for (name, bytes) in &c.files {
            std::fs::write(folder.join(name), bytes).unwrap();
        }
        list.push_str(&format!("{}\n", folder.display()));
    }
    let script = format!("{}/../../docs/verify_draw.py", env!("CARGO_MANIFEST_DIR"));
    let mut child = Command::new("python3")
        .args([script.as_str(), "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs docs/verify_draw.py");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(list.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let theirs: Vec<(u8, String)> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let mut parts = l.splitn(3, '\t');
            let code = parts.next().unwrap().parse().unwrap();
            parts.next();
            (code, parts.next().unwrap_or_default().to_string())
        })
        .collect();
    assert_eq!(theirs.len(), cases.len());
    let mut wrong = Vec::new();
    let mut counts = [0usize; 4];
    for (c, (py, py_said)) in cases.iter().zip(&theirs) {
        let (rs, rs_said) = ours(&c.files);
        counts[c.expect as usize] += 1;
        if rs != c.expect || *py != c.expect {
            wrong.push(format!(
                "{}: expected {}, ours {rs} ({rs_said}), python {py} ({py_said})",
                c.name, c.expect
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} cases:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
    assert!(
        counts[ACCEPTED as usize] >= 20 && counts[PARTIAL as usize] >= 10,
        "{counts:?}"
    );
    assert!(counts[REFUSED as usize] > 5000, "{counts:?}");
}

/// The freeze refuses the fields that frozen files cannot hold, naming them.
#[test]
fn the_freeze_refuses_fields_with_commas_quotes_line_breaks_or_nul() {
    for (key, shown) in [
        ("9114\"0581", "含有英文双引号"),
        ("91140,581", "含有英文逗号"),
        ("9114\r0581", "含有回车符"),
        ("9114\n0581", "含有换行符"),
        ("9114\u{0}0581", "含有空字符"),
    ] {
        let e = candidates_file(vec![(key, "A")]).unwrap_err();
        assert_eq!(e.code(), "DRAW_BAD_FIELD");
        assert!(
            e.to_string().contains("检查对象代码") && e.to_string().contains(shown),
            "{e}"
        );
    }
    let e = candidates_file(vec![("K1", "低\"风险")]).unwrap_err();
    assert!(
        e.to_string().contains("分层“低\"风险”含有英文双引号"),
        "{e}"
    );
    let officer = |id: &str, department: &str| Officer {
        id: id.into(),
        department: department.into(),
    };
    let e = officers_file(vec![officer("OF\"1", "住建局")]).unwrap_err();
    assert!(
        e.to_string().contains("执法人员编号“OF\"1”含有英文双引号"),
        "{e}"
    );
    let e = officers_file(vec![officer("OF1", "住建局,消防")]).unwrap_err();
    assert!(
        e.to_string().contains("部门名称“住建局,消防”含有英文逗号"),
        "{e}"
    );
    let e = conflicts_file(vec![Conflict {
        officer_id: "OF1".into(),
        key: "K\n1".into(),
    }])
    .unwrap_err();
    assert!(
        e.to_string().contains("检查对象代码“K\\n1”含有换行符"),
        "{e}"
    );
    // A quota's department and a stratum label, in the draw itself.
    let f = common::fixture();
    let mut team = f.team.clone();
    team.quotas.insert("市场\"监管".into(), 0);
    let input = DrawInput {
        officers: Some(OfficerInput {
            pool_file: &f.pool,
            conflicts_file: &f.conflicts,
            team,
        }),
        ..f.input()
    };
    let e = run(&input).err().unwrap();
    assert!(
        e.to_string().contains("部门名称“市场\"监管”含有英文双引号"),
        "{e}"
    );
    let mut rules = f.rules.clone();
    rules.insert(
        "B\r".into(),
        StratumRule {
            ratio: Ratio::new(1, 10).unwrap(),
            min: 0,
        },
    );
    let input = DrawInput {
        rules: &rules,
        ..f.input()
    };
    let e = run(&input).err().unwrap();
    assert!(e.to_string().contains("分层“B\\r”含有回车符"), "{e}");
}

/// Found by the outsider's probe: one thread per stratum crashed at 40,000 strata.
#[test]
fn a_draw_with_forty_thousand_strata_runs() {
    let keys: Vec<(String, String)> = (0..40_000)
        .map(|i| (format!("K{i:06}"), format!("S{i:06}")))
        .collect();
    let file =
        candidates_file(keys.iter().map(|(k, s)| (k.as_str(), s.as_str())).collect()).unwrap();
    let set = CandidateSet::parse(&file).unwrap();
    let mut rules = Rules::new();
    rules.insert(
        "S000007".into(),
        StratumRule {
            ratio: Ratio::new(1, 1).unwrap(),
            min: 0,
        },
    );
    let seed = derive_seed("T", &ssj_draw::hash::sha256_hex(&file), &[]);
    let selection = select(&seed, &set, &rules).unwrap();
    assert_eq!(selection.strata.len(), 40_000);
    assert_eq!(selection.selected.len(), 1);
}
