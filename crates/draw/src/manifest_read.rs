//! Reading a `manifest.json` written by any implementation (spec §6): a JSON object compared by
//! value. Whitespace, key order, escaping and the order of `team.quotas` mean nothing; a member
//! the spec does not define, a member given twice, a number that is not a non-negative JSON
//! integer, or a stratum label listed twice is refused, naming it.

use std::collections::BTreeMap;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::manifest::{ALGORITHM, Manifest, TeamManifest};
use crate::select::StratumOutcome;
use crate::teams::TeamSpec;

const TOP: [&str; 12] = [
    "algorithm",
    "task_id",
    "candidate_digest",
    "commitments",
    "reveals",
    "seed",
    "strata",
    "team",
    "officer_pool_digest",
    "conflicts_digest",
    "officer_cap",
    "substitutions_digest",
];
const TEAM_MEMBERS: [&str; 4] = [
    "team",
    "officer_pool_digest",
    "conflicts_digest",
    "officer_cap",
];
const STRATUM: [&str; 7] = ["label", "num", "den", "min", "N", "k", "reserves"];
const TEAM: [&str; 3] = ["size", "quotas", "initiating_department"];

/// A JSON value whose objects never repeat a member (serde_json keeps the last one silently).
struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::from(n))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::from(n))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(Value::from(n))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let Strict(v) = map.next_value()?;
            if out.insert(key.clone(), v).is_some() {
                return Err(de::Error::custom(format!("成员“{key}”出现了两次")));
            }
        }
        Ok(Value::Object(out))
    }
}

type Obj = Map<String, Value>;

fn object<'a>(v: &'a Value, what: &str) -> Result<&'a Obj, String> {
    v.as_object().ok_or_else(|| format!("{what}应为 JSON 对象"))
}

fn only(o: &Obj, allowed: &[&str], what: &str) -> Result<(), String> {
    match o.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(format!("{what}含有 SSJ-DRAW/1 未定义的成员“{k}”")),
        None => Ok(()),
    }
}

fn member<'a>(o: &'a Obj, name: &str, what: &str) -> Result<&'a Value, String> {
    o.get(name).ok_or_else(|| format!("{what}缺少成员“{name}”"))
}

fn string(o: &Obj, name: &str, what: &str) -> Result<String, String> {
    member(o, name, what)?
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("{what}的“{name}”应为字符串"))
}

/// A non-negative JSON integer: `1.0`, `-1`, `true` and `"1"` are not.
fn uint(o: &Obj, name: &str, what: &str) -> Result<u64, String> {
    member(o, name, what)?
        .as_u64()
        .ok_or_else(|| format!("{what}的“{name}”应为非负整数"))
}

fn usize_of(o: &Obj, name: &str, what: &str) -> Result<usize, String> {
    usize::try_from(uint(o, name, what)?).map_err(|_| format!("{what}的“{name}”过大"))
}

fn strings(o: &Obj, name: &str) -> Result<Vec<String>, String> {
    let bad = || format!("“{name}”应为字符串数组");
    member(o, name, "manifest.json ")?
        .as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|v| v.as_str().map(str::to_string).ok_or_else(bad))
        .collect()
}

fn stratum(v: &Value, i: usize) -> Result<StratumOutcome, String> {
    let what = format!("strata 第 {} 项", i + 1);
    let o = object(v, &what)?;
    only(o, &STRATUM, &what)?;
    Ok(StratumOutcome {
        label: string(o, "label", &what)?,
        num: uint(o, "num", &what)?,
        den: uint(o, "den", &what)?,
        min: uint(o, "min", &what)?,
        n: uint(o, "N", &what)?,
        k: uint(o, "k", &what)?,
        reserves: uint(o, "reserves", &what)?,
    })
}

fn team(top: &Obj) -> Result<Option<TeamManifest>, String> {
    let present: Vec<&str> = TEAM_MEMBERS
        .iter()
        .copied()
        .filter(|m| top.contains_key(*m))
        .collect();
    if present.is_empty() {
        return Ok(None);
    }
    if let Some(missing) = TEAM_MEMBERS.iter().find(|m| !top.contains_key(**m)) {
        return Err(format!(
            "有“{}”却缺少成员“{missing}”（选派执法人员的抽取四项俱全）",
            present[0]
        ));
    }
    let what = "team ";
    let t = object(&top["team"], "team ")?;
    only(t, &TEAM, what)?;
    let quotas_value = object(member(t, "quotas", what)?, "team.quotas ")?;
    let mut quotas = BTreeMap::new();
    for (department, q) in quotas_value {
        let q = q
            .as_u64()
            .and_then(|q| usize::try_from(q).ok())
            .ok_or_else(|| format!("team.quotas 中“{department}”的人数应为非负整数"))?;
        quotas.insert(department.clone(), q);
    }
    Ok(Some(TeamManifest {
        team: TeamSpec {
            size: usize_of(t, "size", what)?,
            quotas,
            initiating_department: string(t, "initiating_department", what)?,
        },
        officer_pool_digest: string(top, "officer_pool_digest", "manifest.json ")?,
        conflicts_digest: string(top, "conflicts_digest", "manifest.json ")?,
        officer_cap: uint(top, "officer_cap", "manifest.json ")?,
    }))
}

/// The manifest a folder publishes, or why it is not one.
pub fn read(bytes: &[u8]) -> Result<Manifest, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "不是有效的 UTF-8 文本".to_string())?;
    if text.starts_with('\u{feff}') {
        return Err("以字节顺序标记（BOM）开头：JSON 文本不应有 BOM".into());
    }
    let Strict(value) = serde_json::from_str(text).map_err(|e| format!("不是有效的 JSON：{e}"))?;
    let top = object(&value, "manifest.json ")?;
    let what = "manifest.json ";
    let algorithm = string(top, "algorithm", what)?;
    if algorithm != ALGORITHM {
        return Err(format!("算法为“{algorithm}”，本校验程序只认 {ALGORITHM}"));
    }
    only(top, &TOP, what)?;
    let strata_value = member(top, "strata", what)?
        .as_array()
        .ok_or("“strata”应为数组")?;
    let mut strata = Vec::with_capacity(strata_value.len());
    for (i, v) in strata_value.iter().enumerate() {
        let s = stratum(v, i)?;
        if strata.iter().any(|t: &StratumOutcome| t.label == s.label) {
            return Err(format!("strata 中分层“{}”出现了两次", s.label));
        }
        strata.push(s);
    }
    let substitutions_digest = match top.get("substitutions_digest") {
        None => None,
        Some(_) => Some(string(top, "substitutions_digest", what)?),
    };
    Ok(Manifest {
        algorithm,
        task_id: string(top, "task_id", what)?,
        candidate_digest: string(top, "candidate_digest", what)?,
        commitments: strings(top, "commitments")?,
        reveals: strings(top, "reveals")?,
        seed: string(top, "seed", what)?,
        strata,
        officers: team(top)?,
        substitutions_digest,
    })
}

/// The strata as the spec compares them: a set keyed by label, in which a stratum with no
/// candidate (N = k = reserves = 0) may as well be absent.
pub fn comparable_strata(strata: &[StratumOutcome]) -> BTreeMap<&str, &StratumOutcome> {
    strata
        .iter()
        .filter(|s| s.n != 0 || s.k != 0 || s.reserves != 0)
        .map(|s| (s.label.as_str(), s))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"{"algorithm":"SSJ-DRAW/1","task_id":"T","candidate_digest":"d","commitments":[],"reveals":[],"seed":"s","strata":[{"label":"A","num":1,"den":10,"min":0,"N":0,"k":0,"reserves":0}]"#;

    fn with(extra: &str) -> String {
        format!("{BASE}{extra}}}")
    }

    #[test]
    fn any_layout_reads_and_what_the_spec_does_not_define_is_refused() {
        let m = read(with("").as_bytes()).unwrap();
        assert_eq!(m.strata[0].den, 10);
        let escaped = with("").replace("\"T\"", "\"\\u0054\"");
        assert_eq!(read(escaped.as_bytes()).unwrap(), m);
        for (bad, why) in [
            (with(r#","extra":1"#), "未定义的成员“extra”"),
            (with(r#","seed":"t""#), "成员“seed”出现了两次"),
            (with("").replace("\"den\":10", "\"den\":10.0"), "非负整数"),
            (with("").replace("\"min\":0", "\"min\":-1"), "非负整数"),
            (with(r#","officer_cap":3"#), "缺少成员“team”"),
            (
                with("").replace("SSJ-DRAW/1", "SSJ-DRAW/2"),
                "只认 SSJ-DRAW/1",
            ),
            (format!("\u{feff}{}", with("")), "BOM"),
            (
                with("").replace("\"strata\":[", "\"strata\":[{\"label\":\"A\",\"num\":0,\"den\":1,\"min\":0,\"N\":0,\"k\":0,\"reserves\":0},"),
                "分层“A”出现了两次",
            ),
        ] {
            let e = read(bad.as_bytes()).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
