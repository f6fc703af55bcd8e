//! The drawn list as it is now inspected: `result.csv` with every 递补 of `substitutions.csv`
//! applied in order — each slot's current object and team, and the rows that changed it. Read
//! off the published files alone, without drawing again: an object row names its replacement
//! and an officer row its new member, and the leader follows the rule of spec §4 (the first
//! member from the initiating department, else the first member).

use crate::error::DrawError;
use crate::files::Officer;
use crate::substitute::{Kind, Substitution};
use std::collections::HashMap;

/// One slot of the drawn list, in draw order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurrentSlot {
    pub rank: u64,
    /// The object inspected now.
    pub key: String,
    /// The object the draw chose for this slot.
    pub drawn_key: String,
    pub stratum: String,
    pub ticket: String,
    /// Officer ids in the order they joined the team.
    pub members: Vec<String>,
    pub leader: String,
    /// Positions (0-based) in the substitution rows of the changes to this slot.
    pub changes: Vec<usize>,
}

fn bad(why: String) -> DrawError {
    DrawError::Substitution(why)
}

/// The current list. `pool` and `initiating` place the leader; without officers both are empty.
pub fn current_list(
    result_csv: &[u8],
    pool: &[Officer],
    initiating: &str,
    rows: &[Substitution],
) -> Result<Vec<CurrentSlot>, DrawError> {
    let text = std::str::from_utf8(result_csv).map_err(|_| bad("result.csv 不是 UTF-8".into()))?;
    let mut slots = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != 6 {
            return Err(bad(format!("result.csv 的行“{line}”应有 6 列")));
        }
        slots.push(CurrentSlot {
            rank: f[0]
                .parse()
                .map_err(|_| bad(format!("result.csv 的顺序号“{}”无效", f[0])))?,
            key: f[1].to_string(),
            drawn_key: f[1].to_string(),
            stratum: f[2].to_string(),
            ticket: f[3].to_string(),
            members: f[4]
                .split(';')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            leader: f[5].to_string(),
            changes: Vec::new(),
        });
    }
    let mut by_key: HashMap<String, usize> = slots
        .iter()
        .enumerate()
        .map(|(i, s)| (s.key.clone(), i))
        .collect();
    let department: HashMap<&str, &str> = pool
        .iter()
        .map(|o| (o.id.as_str(), o.department.as_str()))
        .collect();
    for (at, row) in rows.iter().enumerate() {
        let slot_of = |key: &str, by_key: &HashMap<String, usize>| {
            by_key.get(key).copied().ok_or_else(|| {
                bad(format!(
                    "递补第 {} 行的检查对象 {key} 不在抽中名单中",
                    at + 1
                ))
            })
        };
        match row.kind {
            Kind::Object => {
                let i = slot_of(&row.replaced, &by_key)?;
                by_key.remove(&row.replaced);
                by_key.insert(row.replacement.clone(), i);
                slots[i].key = row.replacement.clone();
                slots[i].changes.push(at);
            }
            Kind::Officer => {
                let (key, old) = pair(&row.replaced)?;
                let (_, new) = pair(&row.replacement)?;
                let i = slot_of(key, &by_key)?;
                let s = &mut slots[i];
                let Some(p) = s.members.iter().position(|m| m == old) else {
                    return Err(bad(format!("执法人员 {old} 不在检查对象 {key} 的检查组中")));
                };
                s.members.remove(p);
                s.members.push(new.to_string());
                s.leader = s
                    .members
                    .iter()
                    .find(|m| department.get(m.as_str()) == Some(&initiating))
                    .unwrap_or(&s.members[0])
                    .clone();
                s.changes.push(at);
            }
            // A late conflict changes nothing by itself; the officer row it causes follows.
            Kind::Conflict => {
                if let Some(&i) = by_key.get(&row.replacement) {
                    slots[i].changes.push(at);
                }
            }
        }
    }
    Ok(slots)
}

fn pair(text: &str) -> Result<(&str, &str), DrawError> {
    text.rsplit_once(';')
        .ok_or_else(|| bad(format!("“{text}”应为“检查对象代码;执法人员编号”")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(kind: Kind, replaced: &str, replacement: &str) -> Substitution {
        Substitution {
            kind,
            replaced: replaced.into(),
            replacement: replacement.into(),
            reason: "r".into(),
            at: "t".into(),
        }
    }

    #[test]
    fn object_and_officer_rows_apply_in_order() {
        let result = b"rank,key,stratum,ticket,officers,leader\n1,K1,A,aa,1;2,1\n2,K2,B,bb,3;4,3\n";
        let pool = vec![
            Officer {
                id: "1".into(),
                department: "市场".into(),
            },
            Officer {
                id: "2".into(),
                department: "卫健".into(),
            },
            Officer {
                id: "3".into(),
                department: "市场".into(),
            },
            Officer {
                id: "4".into(),
                department: "卫健".into(),
            },
            Officer {
                id: "5".into(),
                department: "卫健".into(),
            },
            Officer {
                id: "6".into(),
                department: "市场".into(),
            },
        ];
        let rows = vec![
            row(Kind::Object, "K1", "R1"),
            row(Kind::Officer, "R1;1", "R1;5"),
            row(Kind::Object, "R1", "R2"),
            row(Kind::Conflict, "3", "K2"),
            row(Kind::Officer, "K2;3", "K2;6"),
        ];
        let list = current_list(result, &pool, "市场", &rows).unwrap();
        assert_eq!(list[0].key, "R2");
        assert_eq!(list[0].drawn_key, "K1");
        assert_eq!(list[0].members, ["2", "5"]);
        // No member of the initiating department is left: the first member leads.
        assert_eq!(list[0].leader, "2");
        assert_eq!(list[0].changes, [0, 1, 2]);
        assert_eq!(list[1].members, ["4", "6"]);
        assert_eq!(list[1].leader, "6");
        assert_eq!(list[1].changes, [3, 4]);
        let unknown = current_list(result, &pool, "市场", &[row(Kind::Object, "K9", "X")]);
        assert!(unknown.is_err());
    }
}
