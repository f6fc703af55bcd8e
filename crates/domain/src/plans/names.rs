//! Department and item names as plan tables write them, matched to the directories: exactly,
//! then by a normalised name (`市场监管局` = `高平市市场监督管理局`, `住建局` =
//! `住房和城乡建设管理局`), else left for a person with suggestions. A match by line of
//! government alone (`环保局` → `生态环境局`) is only ever a suggestion: renamed departments
//! are for a person to confirm.

use serde::{Deserialize, Serialize};

/// Short forms officials write, and the full words they stand for.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("市场监管", "市场监督管理"),
    ("住建", "住房和城乡建设"),
    ("住房城乡建设", "住房和城乡建设"),
    ("城管", "城市管理"),
    ("卫健", "卫生健康"),
    ("文旅", "文化和旅游"),
    ("人社", "人力资源和社会保障"),
    ("人力资源社会保障", "人力资源和社会保障"),
    ("发改", "发展和改革"),
    ("发展改革", "发展和改革"),
    ("人防办", "人民防空办公室"),
    ("人防", "人民防空"),
    ("应急局", "应急管理局"),
    ("交通局", "交通运输局"),
];

/// How a written name was matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "how", rename_all = "snake_case")]
pub enum NameMatch {
    /// Written exactly as in the directory.
    Exact { id: i64 },
    /// The same name once normalised.
    Normalised { id: i64 },
    /// A person mapped it before; remembered.
    Remembered { id: i64 },
    /// Not certain: candidates for a person, best first (may be empty).
    Unresolved { suggestions: Vec<i64> },
}

impl NameMatch {
    pub fn id(&self) -> Option<i64> {
        match self {
            NameMatch::Exact { id }
            | NameMatch::Normalised { id }
            | NameMatch::Remembered { id } => Some(*id),
            NameMatch::Unresolved { .. } => None,
        }
    }
}

/// A department of the directory as the matcher sees it.
#[derive(Debug, Clone)]
pub struct KnownDepartment<'a> {
    pub id: i64,
    pub name: &'a str,
    /// Whether it sits in the plan's own division (preferred when two normalise alike).
    pub local: bool,
}

/// The comparison key of a department name: no spaces, no division names (`高平市`, `高平`,
/// `晋城市`), abbreviations written out, `管理` dropped (`住房和城乡建设管理局` and
/// `住房和城乡建设局` are one department).
pub fn department_key(name: &str, division_names: &[String]) -> String {
    let mut s: String = name
        .chars()
        .map(crate::text::fold_full_width)
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut names: Vec<String> = Vec::new();
    for d in division_names {
        names.push(d.clone());
        for suffix in ["市", "县", "区", "省"] {
            if let Some(short) = d.strip_suffix(suffix)
                && short.chars().count() >= 2
            {
                names.push(short.to_string());
            }
        }
    }
    // Longest first: `高平市` before `高平`.
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    for n in &names {
        s = s.replace(n.as_str(), "");
    }
    for (short, full) in ABBREVIATIONS {
        if !s.contains(full) {
            s = s.replace(short, full);
        }
    }
    // `市市场监管局`: the level word goes, the 市 of 市场 stays.
    for prefix in ["省", "市", "县", "区"] {
        if let Some(rest) = s.strip_prefix(prefix)
            && rest.chars().count() >= 2
            && !rest.starts_with('场')
        {
            s = rest.to_string();
            break;
        }
    }
    s.replace("管理", "")
}

/// Matches a written department name among `known`.
pub fn match_department(
    written: &str,
    known: &[KnownDepartment],
    division_names: &[String],
) -> NameMatch {
    let squeezed: String = written.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(d) = known.iter().find(|d| d.name == squeezed) {
        return NameMatch::Exact { id: d.id };
    }
    let key = department_key(written, division_names);
    let alike: Vec<&KnownDepartment> = known
        .iter()
        .filter(|d| !key.is_empty() && department_key(d.name, division_names) == key)
        .collect();
    let local: Vec<&KnownDepartment> = alike.iter().copied().filter(|d| d.local).collect();
    match (alike.as_slice(), local.as_slice()) {
        ([one], _) | (_, [one]) => return NameMatch::Normalised { id: one.id },
        _ => {}
    }
    let system = crate::org::department_system(&squeezed);
    let mut suggestions: Vec<(usize, i64)> = known
        .iter()
        .filter_map(|d| {
            let same_line = system.is_some() && crate::org::department_system(d.name) == system;
            let shared = shared_chars(&key, &department_key(d.name, division_names));
            let score = shared + if same_line { 100 } else { 0 } + usize::from(d.local) * 10;
            (same_line || shared >= 2).then_some((score, d.id))
        })
        .collect();
    suggestions.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    NameMatch::Unresolved {
        suggestions: suggestions.into_iter().take(5).map(|(_, id)| id).collect(),
    }
}

/// The comparison key of an item name: no spaces or punctuation, no leading `对`, no
/// trailing `的监督检查` / `的行政检查` / `检查`.
pub fn item_key(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(crate::text::fold_full_width)
        .filter(|c| !c.is_whitespace() && !"《》“”\"'‘’（）()、，,。；;：:".contains(*c))
        .collect();
    if let Some(rest) = s.strip_prefix('对') {
        s = rest.to_string();
    }
    for suffix in [
        "的行政检查",
        "的监督检查",
        "监督检查",
        "行政检查",
        "的检查",
        "检查",
    ] {
        if let Some(rest) = s.strip_suffix(suffix) {
            s = rest.to_string();
            break;
        }
    }
    s
}

/// An item of the published list as the matcher sees it.
#[derive(Debug, Clone)]
pub struct KnownItem<'a> {
    pub id: i64,
    pub name: &'a str,
    /// The list's department matches the task's department (preferred among equals).
    pub own: bool,
}

/// Matches a written item name among the published list's items.
pub fn match_item(written: &str, known: &[KnownItem]) -> NameMatch {
    let squeezed: String = written.chars().filter(|c| !c.is_whitespace()).collect();
    let pick = |found: Vec<&KnownItem>| -> Option<i64> {
        let own: Vec<&KnownItem> = found.iter().copied().filter(|i| i.own).collect();
        match (found.as_slice(), own.as_slice()) {
            ([one], _) | (_, [one]) => Some(one.id),
            _ => None,
        }
    };
    let exact: Vec<&KnownItem> = known
        .iter()
        .filter(|i| {
            i.name
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                == squeezed
        })
        .collect();
    if let Some(id) = pick(exact) {
        return NameMatch::Exact { id };
    }
    let key = item_key(written);
    let alike: Vec<&KnownItem> = known
        .iter()
        .filter(|i| !key.is_empty() && item_key(i.name) == key)
        .collect();
    if let Some(id) = pick(alike) {
        return NameMatch::Normalised { id };
    }
    let mut suggestions: Vec<(usize, i64)> = known
        .iter()
        .filter_map(|i| {
            let other = item_key(i.name);
            let contained = !key.is_empty() && (other.contains(&key) || key.contains(&other));
            let shared = shared_chars(&key, &other);
            let score = shared + if contained { 100 } else { 0 } + usize::from(i.own) * 10;
            (contained || shared * 2 >= key.chars().count().max(6)).then_some((score, i.id))
        })
        .collect();
    suggestions.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    NameMatch::Unresolved {
        suggestions: suggestions.into_iter().take(5).map(|(_, id)| id).collect(),
    }
}

/// How many distinct characters two keys share.
fn shared_chars(a: &str, b: &str) -> usize {
    let mut chars: Vec<char> = a.chars().filter(|c| b.contains(*c)).collect();
    chars.sort_unstable();
    chars.dedup();
    chars.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Vec<KnownDepartment<'static>> {
        [
            (1, "晋城市市场监督管理局", false),
            (2, "高平市市场监督管理局", true),
            (3, "高平市城市管理局", true),
            (4, "高平市住房和城乡建设局", true),
            (5, "晋城市生态环境局高平分局", true),
            (6, "高平市人民防空办公室", true),
        ]
        .into_iter()
        .map(|(id, name, local)| KnownDepartment { id, name, local })
        .collect()
    }

    fn divisions() -> Vec<String> {
        vec!["高平市".into(), "晋城市".into(), "山西省".into()]
    }

    #[test]
    fn departments_as_the_seeds_write_them() {
        let known = demo();
        let m = |w: &str| match_department(w, &known, &divisions());
        assert_eq!(m("高平市城市管理局"), NameMatch::Exact { id: 3 });
        assert_eq!(m("高平城市管理 局"), NameMatch::Normalised { id: 3 });
        assert_eq!(m("城管局"), NameMatch::Normalised { id: 3 });
        // Two 市场监督管理局 normalise alike: the one in the plan's division is meant.
        assert_eq!(m("市场监管局"), NameMatch::Normalised { id: 2 });
        assert_eq!(m("市市场监管局"), NameMatch::Normalised { id: 2 });
        assert_eq!(m("高平住建局"), NameMatch::Normalised { id: 4 });
        assert_eq!(m("住房和城乡建设管理局"), NameMatch::Normalised { id: 4 });
        assert_eq!(m("人防办"), NameMatch::Normalised { id: 6 });
        // A renamed department is suggested, never taken.
        match m("晋城市环保局 高平分局") {
            NameMatch::Unresolved { suggestions } => assert_eq!(suggestions.first(), Some(&5)),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            m("高平市气象局"),
            NameMatch::Unresolved {
                suggestions: vec![]
            }
        );
    }

    #[test]
    fn items_exactly_then_normalised_then_suggested() {
        let known: Vec<KnownItem> = [
            (10, "对建筑工地扬尘污染防治措施落实情况的监督检查", true),
            (11, "对市区沿街商户履行“门前三包”的行政检查", true),
            (12, "建筑工地扬尘污染防治措施落实情况检查", false),
            (13, "公共场所卫生监督检查", false),
        ]
        .into_iter()
        .map(|(id, name, own)| KnownItem { id, name, own })
        .collect();
        let m = |w: &str| match_item(w, &known);
        assert_eq!(
            m("对建筑工地扬尘污染防治措施落实情况的监督检查"),
            NameMatch::Exact { id: 10 }
        );
        // Normalises like 10 and 12: the department's own item is meant.
        assert_eq!(
            m("对建筑工地扬尘污染防治措施落实情况的 检查"),
            NameMatch::Normalised { id: 10 }
        );
        assert_eq!(
            m("对市区沿街商户履行门前三包的检查"),
            NameMatch::Normalised { id: 11 }
        );
        match m("沿街商户门前三包") {
            NameMatch::Unresolved { suggestions } => assert_eq!(suggestions, vec![11]),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            m("人防工程检查"),
            NameMatch::Unresolved {
                suggestions: vec![]
            }
        );
    }
}
