//! 递补 after the draw (spec §3, §4), as a state replayed from `substitutions.csv`:
//! - `object`: `replaced` = the object's key, `replacement` = the next unused reserve of its
//!   stratum; the slot keeps its team.
//! - `officer`: `replaced` = `key;officer_id` of the member leaving the team, `replacement` =
//!   `key;officer_id` of the next officer in that object's walk order (spec §4).
//! - `conflict`: a conflict declared after the draw, `replaced` = officer_id, `replacement` =
//!   key; from then on the pair counts as a conflict, and a team may not end with it.
//!
//! The platform applies rows through [`DrawState`] and a verifier replays the published file
//! through it, so both compute every replacement the same way.

use crate::draw::DrawOutcome;
use crate::error::{DrawError, bad_file};
use crate::files::{SUBSTITUTIONS_FILE, is_plain_field};
use crate::teams::{Roster, replacement};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Object,
    Officer,
    Conflict,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Object => "object",
            Kind::Officer => "officer",
            Kind::Conflict => "conflict",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Substitution {
    pub kind: Kind,
    pub replaced: String,
    pub replacement: String,
    pub reason: String,
    pub at: String,
}

/// The draw as it stands after the substitutions applied so far.
pub struct DrawState<'o, 'r> {
    outcome: &'o DrawOutcome<'o>,
    roster: Option<&'r Roster<'r>>,
    pub slots: Vec<Slot>,
    used_reserves: Vec<usize>,
    late_conflicts: Vec<(usize, String)>,
}

#[derive(Clone, Debug)]
pub struct Slot {
    pub key: String,
    pub stratum: usize,
    pub members: Vec<usize>,
    pub removed: Vec<usize>,
    pub leader: Option<usize>,
}

impl<'o, 'r> DrawState<'o, 'r> {
    pub fn new(outcome: &'o DrawOutcome<'o>, roster: Option<&'r Roster<'r>>) -> Self {
        let slots = outcome
            .selection
            .selected
            .iter()
            .enumerate()
            .map(|(i, pick)| {
                let team = outcome.officers.as_ref().map(|o| &o.teams[i]);
                Slot {
                    key: outcome.candidates.key(pick.candidate).to_string(),
                    stratum: pick.stratum,
                    members: team.map(|t| t.members.clone()).unwrap_or_default(),
                    removed: Vec::new(),
                    leader: team.map(|t| t.leader),
                }
            })
            .collect();
        DrawState {
            outcome,
            roster,
            slots,
            used_reserves: vec![0; outcome.selection.strata.len()],
            late_conflicts: Vec::new(),
        }
    }

    fn slot_of(&self, key: &str) -> Result<usize, DrawError> {
        self.slots
            .iter()
            .position(|s| s.key == key)
            .ok_or_else(|| DrawError::Substitution(format!("检查对象 {key} 不在本次抽取结果中")))
    }

    fn roster(&self) -> Result<&'r Roster<'r>, DrawError> {
        self.roster
            .ok_or_else(|| DrawError::Substitution("本次抽取未选派执法人员".to_string()))
    }

    fn officer_index(&self, id: &str) -> Result<usize, DrawError> {
        self.roster()?
            .pool
            .iter()
            .position(|o| o.id == id)
            .ok_or_else(|| DrawError::Substitution(format!("执法人员 {id} 不在本次抽取的人员库中")))
    }

    fn conflicted(&self, key: &str, officer: usize) -> bool {
        self.roster.is_some_and(|r| r.conflicted(key, officer))
            || self
                .late_conflicts
                .iter()
                .any(|(o, k)| *o == officer && k == key)
    }

    /// Replaces an object by the next unused reserve of its stratum; returns the new key.
    pub fn substitute_object(&mut self, key: &str) -> Result<String, DrawError> {
        let slot = self.slot_of(key)?;
        let stratum = self.slots[slot].stratum;
        let reserves = &self.outcome.selection.reserves[stratum];
        let next = self.used_reserves[stratum];
        let Some(pick) = reserves.get(next) else {
            let label = &self.outcome.selection.strata[stratum].label;
            return Err(DrawError::Substitution(format!(
                "{label} 层的备选对象已用完，无法递补 {key}"
            )));
        };
        self.used_reserves[stratum] += 1;
        let new_key = self.outcome.candidates.key(pick.candidate).to_string();
        self.slots[slot].key = new_key.clone();
        Ok(new_key)
    }

    /// Team members with a conflict (frozen or declared since) with the object they inspect.
    pub fn conflicted_members(&self) -> Vec<(String, String)> {
        let Some(roster) = self.roster else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for slot in &self.slots {
            for &m in &slot.members {
                if self.conflicted(&slot.key, m) {
                    out.push((slot.key.clone(), roster.pool[m].id.clone()));
                }
            }
        }
        out
    }

    /// Removes `officer_id` from the object's team and takes the next eligible officer; returns
    /// the new officer's id.
    pub fn substitute_officer(&mut self, key: &str, officer_id: &str) -> Result<String, DrawError> {
        let roster = self.roster()?;
        let slot = self.slot_of(key)?;
        let officer = self.officer_index(officer_id)?;
        let Some(at) = self.slots[slot].members.iter().position(|&m| m == officer) else {
            return Err(DrawError::Substitution(format!(
                "执法人员 {officer_id} 不在检查对象 {key} 的检查组中"
            )));
        };
        let mut members = self.slots[slot].members.clone();
        members.remove(at);
        let mut removed = self.slots[slot].removed.clone();
        removed.push(officer);
        let next = replacement(&self.outcome.seed, key, roster, &members, &removed, |o| {
            self.conflicted(key, o)
        })?;
        members.push(next);
        let s = &mut self.slots[slot];
        s.leader = Some(roster.leader(&members));
        s.members = members;
        s.removed = removed;
        Ok(roster.pool[next].id.clone())
    }

    pub fn declare_conflict(&mut self, officer_id: &str, key: &str) -> Result<(), DrawError> {
        let officer = self.officer_index(officer_id)?;
        if !is_plain_field(key) {
            return Err(DrawError::Substitution(format!("检查对象代码“{key}”无效")));
        }
        self.late_conflicts.push((officer, key.to_string()));
        Ok(())
    }

    /// Applies one published row, checking that its replacement is the one the rules give.
    pub fn replay(&mut self, row: &Substitution) -> Result<(), DrawError> {
        match row.kind {
            Kind::Object => {
                let got = self.substitute_object(&row.replaced)?;
                if got != row.replacement {
                    return Err(DrawError::Substitution(format!(
                        "{} 应由备选对象 {got} 递补，而不是 {}",
                        row.replaced, row.replacement
                    )));
                }
            }
            Kind::Officer => {
                let (key, old) = split_pair(&row.replaced)?;
                let (new_key, new) = split_pair(&row.replacement)?;
                if key != new_key {
                    return Err(DrawError::Substitution(
                        "递补前后的检查对象不一致".to_string(),
                    ));
                }
                let got = self.substitute_officer(key, old)?;
                if got != new {
                    return Err(DrawError::Substitution(format!(
                        "检查对象 {key} 的执法人员 {old} 应由 {got} 递补，而不是 {new}"
                    )));
                }
            }
            Kind::Conflict => self.declare_conflict(&row.replaced, &row.replacement)?,
        }
        Ok(())
    }
}

fn split_pair(text: &str) -> Result<(&str, &str), DrawError> {
    text.rsplit_once(';')
        .ok_or_else(|| DrawError::Substitution(format!("“{text}”应为“检查对象代码;执法人员编号”")))
}

/// `substitutions.csv`: header `kind,replaced,replacement,reason,at`; fields quoted as in
/// RFC 4180 when they hold a comma, a quote or a line break (a reason may).
pub fn render(rows: &[Substitution]) -> Vec<u8> {
    let mut out = b"kind,replaced,replacement,reason,at\n".to_vec();
    for r in rows {
        let fields = [
            r.kind.as_str(),
            &r.replaced,
            &r.replacement,
            &r.reason,
            &r.at,
        ];
        let line: Vec<String> = fields.iter().map(|f| quote(f)).collect();
        out.extend_from_slice(line.join(",").as_bytes());
        out.push(b'\n');
    }
    out
}

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

pub fn parse(bytes: &[u8]) -> Result<Vec<Substitution>, DrawError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| bad_file(SUBSTITUTIONS_FILE, 1, "不是有效的 UTF-8 文本"))?;
    let records = split_records(text)
        .ok_or_else(|| bad_file(SUBSTITUTIONS_FILE, 1, "引号不成对，或文件未以换行符结束"))?;
    if records.is_empty() {
        return Err(bad_file(
            SUBSTITUTIONS_FILE,
            1,
            "表头应为“kind,replaced,replacement,reason,at”（文件为空）",
        ));
    }
    let mut rows = Vec::new();
    for (n, fields) in records.into_iter().enumerate() {
        let line = n + 1;
        if n == 0 {
            if fields != ["kind", "replaced", "replacement", "reason", "at"] {
                return Err(bad_file(
                    SUBSTITUTIONS_FILE,
                    1,
                    "表头应为“kind,replaced,replacement,reason,at”",
                ));
            }
            continue;
        }
        let [kind, replaced, replacement, reason, at]: [String; 5] = fields
            .try_into()
            .map_err(|_| bad_file(SUBSTITUTIONS_FILE, line, "应有 5 列"))?;
        let kind = match kind.as_str() {
            "object" => Kind::Object,
            "officer" => Kind::Officer,
            "conflict" => Kind::Conflict,
            other => {
                return Err(bad_file(
                    SUBSTITUTIONS_FILE,
                    line,
                    format!("未知的递补类型“{other}”"),
                ));
            }
        };
        rows.push(Substitution {
            kind,
            replaced,
            replacement,
            reason,
            at,
        });
    }
    Ok(rows)
}

/// Splits RFC 4180 text whose every record ends with LF; None on a stray quote or no final LF.
fn split_records(text: &str) -> Option<Vec<Vec<String>>> {
    let mut records = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                    if !matches!(chars.peek(), Some(',') | Some('\n')) {
                        return None;
                    }
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                at_field_start = false;
            }
            '"' | '\r' => return None,
            ',' => {
                fields.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\n' => {
                fields.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut fields));
                at_field_start = true;
            }
            c => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    (!quoted && field.is_empty() && fields.is_empty()).then_some(records)
}
