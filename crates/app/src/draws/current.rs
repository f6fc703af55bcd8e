//! The drawn list as it is now inspected: each slot's current object and team after every
//! 递补, with the history beside it, named — objects by name and code, officers by name,
//! department and certificate number (public with the draw), never by internal id alone.

use crate::{AppError, AppResult, Platform, clock};
use serde::Serialize;
use ssj_draw::{CurrentSlot, Kind, Manifest};
use ssj_storage::{DrawFileName, DrawSubstitution};
use std::collections::HashMap;

/// An officer on a team, as the public may see them.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Member {
    pub id: String,
    pub name: String,
    pub department: String,
    pub cert_no: String,
}

/// One row of the list: the object inspected now and its team.
#[derive(Debug, Clone, Serialize)]
pub struct ListedRow {
    pub rank: u64,
    pub key: String,
    pub name: String,
    pub address: String,
    pub division: String,
    pub stratum: String,
    pub ticket: String,
    /// The object the draw chose, when a 递补 replaced it.
    pub replaced: Option<String>,
    pub members: Vec<Member>,
    pub leader: Option<Member>,
    /// Positions (1-based) of the 递补 rows that changed this slot.
    pub changes: Vec<i64>,
}

/// One 递补 row, named.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryRow {
    pub position: i64,
    pub kind: &'static str,
    pub kind_label: &'static str,
    /// What left: the object, or the officer and the object whose team they left.
    pub before: String,
    /// What came in.
    pub after: String,
    pub reason: String,
    pub at: String,
    /// The staff account that made it (never shown on public pages).
    pub actor: String,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct CurrentList {
    /// Slots in the whole list.
    pub total: usize,
    pub rows: Vec<ListedRow>,
    pub history: Vec<HistoryRow>,
}

pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "object" => "对象递补",
        "officer" => "人员递补",
        "conflict" => "抽取后申报回避",
        _ => "其他",
    }
}

impl Platform {
    /// The current list of a drawn draw (the first `limit` rows, or all) and its whole history.
    pub async fn current_list(&self, draw_id: i64, limit: Option<usize>) -> AppResult<CurrentList> {
        let draw = self.draw(draw_id).await?;
        let Some(result) = self.store.draw_file(draw.id, DrawFileName::Result).await? else {
            return Ok(CurrentList::default());
        };
        let pool = match self
            .store
            .draw_file(draw.id, DrawFileName::Officers)
            .await?
        {
            Some(bytes) => ssj_draw::files::parse_officers(&bytes)?,
            None => Vec::new(),
        };
        let initiating = draw
            .manifest
            .as_deref()
            .and_then(|m| serde_json::from_str::<Manifest>(m).ok())
            .and_then(|m| m.officers)
            .map(|o| o.team.initiating_department)
            .unwrap_or_default();
        let stored = self.store.substitutions(draw.id).await?;
        let rows = super::after::rows_of(&stored)?;
        let slots = tokio::task::spawn_blocking(move || {
            ssj_draw::current_list(&result, &pool, &initiating, &rows)
        })
        .await
        .map_err(|e| AppError::internal(format!("计算中断：{e}")))??;
        let total = slots.len();
        let shown: Vec<CurrentSlot> = slots
            .into_iter()
            .take(limit.unwrap_or(usize::MAX))
            .collect();
        let names = Names::load(self, &shown, &stored).await?;
        let rows = shown
            .iter()
            .map(|s| {
                let o = names.objects.get(&s.key);
                ListedRow {
                    rank: s.rank,
                    key: s.key.clone(),
                    name: o.map(|o| o.name.clone()).unwrap_or_default(),
                    address: o.map(|o| o.address.clone()).unwrap_or_default(),
                    division: o.map(|o| o.division.clone()).unwrap_or_default(),
                    stratum: s.stratum.clone(),
                    ticket: s.ticket.clone(),
                    replaced: (s.key != s.drawn_key).then(|| names.object(&s.drawn_key)),
                    members: s.members.iter().map(|m| names.member(m)).collect(),
                    leader: (!s.leader.is_empty()).then(|| names.member(&s.leader)),
                    changes: s.changes.iter().map(|&c| c as i64 + 1).collect(),
                }
            })
            .collect();
        let history = stored.iter().map(|x| names.history(x)).collect();
        Ok(CurrentList {
            total,
            rows,
            history,
        })
    }
}

impl Platform {
    /// 递补 rows named, without reading the draw's list (a public lookup's few rows).
    pub(super) async fn named_history(
        &self,
        rows: &[DrawSubstitution],
    ) -> AppResult<Vec<HistoryRow>> {
        let names = Names::load(self, &[], rows).await?;
        Ok(rows.iter().map(|x| names.history(x)).collect())
    }
}

/// The names of the objects and officers a list shows, read in one query each.
struct Names {
    objects: HashMap<String, ssj_storage::Object>,
    officers: HashMap<String, Member>,
}

impl Names {
    async fn load(
        p: &Platform,
        slots: &[CurrentSlot],
        subs: &[DrawSubstitution],
    ) -> AppResult<Names> {
        let mut codes: Vec<String> = Vec::new();
        let mut officer_ids: Vec<i64> = Vec::new();
        for s in slots {
            codes.push(s.key.clone());
            codes.push(s.drawn_key.clone());
            officer_ids.extend(s.members.iter().filter_map(|m| m.parse::<i64>().ok()));
        }
        for x in subs {
            for text in [&x.replaced, &x.replacement] {
                for part in text.split(';') {
                    codes.push(part.to_string());
                    officer_ids.extend(part.parse::<i64>().ok());
                }
            }
        }
        codes.sort_unstable();
        codes.dedup();
        officer_ids.sort_unstable();
        officer_ids.dedup();
        let objects = p
            .store
            .objects_with_codes(&codes)
            .await?
            .into_iter()
            .map(|o| (o.code.clone(), o))
            .collect();
        let departments = p.department_names().await?;
        let officers = p
            .store
            .officers_by_ids(&officer_ids)
            .await?
            .into_iter()
            .map(|o| {
                (
                    o.id.to_string(),
                    Member {
                        id: o.id.to_string(),
                        department: departments
                            .get(&o.department_id)
                            .cloned()
                            .unwrap_or_default(),
                        name: o.name,
                        cert_no: o.cert_no,
                    },
                )
            })
            .collect();
        Ok(Names { objects, officers })
    }

    fn object(&self, code: &str) -> String {
        match self.objects.get(code) {
            Some(o) if !o.name.is_empty() => format!("{}（{code}）", o.name),
            _ => code.to_string(),
        }
    }

    fn member(&self, id: &str) -> Member {
        self.officers.get(id).cloned().unwrap_or_else(|| Member {
            id: id.to_string(),
            name: format!("执法人员 {id}"),
            department: String::new(),
            cert_no: String::new(),
        })
    }

    fn officer(&self, id: &str) -> String {
        let m = self.member(id);
        match (m.department.is_empty(), m.cert_no.is_empty()) {
            (false, false) => format!("{}（{}，{}）", m.name, m.department, m.cert_no),
            (false, true) => format!("{}（{}）", m.name, m.department),
            _ => m.name,
        }
    }

    fn history(&self, x: &DrawSubstitution) -> HistoryRow {
        let pair = |text: &str| match text.rsplit_once(';') {
            Some((key, officer)) => (key.to_string(), officer.to_string()),
            None => (text.to_string(), String::new()),
        };
        let (before, after) = match super::after::kind_of(&x.kind) {
            Ok(Kind::Object) => (self.object(&x.replaced), self.object(&x.replacement)),
            Ok(Kind::Officer) => {
                let ((key, old), (_, new)) = (pair(&x.replaced), pair(&x.replacement));
                (
                    format!("{}：{}", self.object(&key), self.officer(&old)),
                    self.officer(&new),
                )
            }
            // replaced = the officer, replacement = the object they declared a conflict with:
            // shown the other way round, the object and who declared, then what follows.
            Ok(Kind::Conflict) => (
                format!(
                    "{}：{}",
                    self.object(&x.replacement),
                    self.officer(&x.replaced)
                ),
                "申报存在利害关系；如在检查组中，由下一行人员递补".to_string(),
            ),
            Err(_) => (x.replaced.clone(), x.replacement.clone()),
        };
        HistoryRow {
            position: x.position,
            kind: match x.kind.as_str() {
                "object" => "object",
                "officer" => "officer",
                _ => "conflict",
            },
            kind_label: kind_label(&x.kind),
            before,
            after,
            reason: x.reason.clone(),
            at: clock::format_rfc3339(&x.at),
            actor: x.actor.clone(),
        }
    }
}
