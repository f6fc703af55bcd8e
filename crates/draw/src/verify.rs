//! Recomputes a published draw from its export folder alone (spec §5) and names the first file
//! that does not match, holding each file to what spec §6 fixes and to nothing more: a folder
//! written by any correct implementation passes, a changed draw fails.

use std::collections::BTreeMap;

use crate::draw::{DrawInput, DrawOutcome, OfficerInput, run};
use crate::error::DrawError;
use crate::files::{
    CANDIDATES, CONFLICTS, OFFICERS, Officer, SUBSTITUTIONS_FILE, check_field, parse_officers,
};
use crate::hash::sha256_hex;
use crate::manifest::{MANIFEST, Manifest, RESULT};
use crate::manifest_read::{self, comparable_strata};
use crate::ratio::Ratio;
use crate::seed::derive_seed;
use crate::select::{Rules, StratumRule};
use crate::substitute::{DrawState, parse as parse_substitutions};
use crate::teams::TeamSpec;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}：{reason}")]
pub struct VerifyError {
    pub file: String,
    pub reason: String,
}

impl VerifyError {
    pub fn code(&self) -> &'static str {
        "DRAW_VERIFY_MISMATCH"
    }
}

fn fail(file: &str, reason: impl Into<String>) -> VerifyError {
    VerifyError {
        file: file.to_string(),
        reason: reason.into(),
    }
}

/// What was recomputed, for the person who asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub manifest: Manifest,
    pub candidates: usize,
    pub selected: usize,
    pub teams: usize,
    pub substitutions: usize,
    /// False when the draw has officer teams but the folder has no `conflicts.csv` (a public
    /// export leaves it out: it is personal data). The candidates, seed, strata and selection
    /// are then verified; the teams and the 递补 are not rechecked — never reported as verified.
    pub teams_rechecked: bool,
}

impl Verified {
    /// The verdict as both verifiers word it (draw-v1.md appendix): "一致" only when every
    /// file, teams included, was recomputed.
    pub fn verdict(&self) -> String {
        if self.teams_rechecked {
            format!(
                "一致：任务 {} 的抽取由公开文件完全复算得到相同结果（候选 {} 户，抽中 {} 户，检查组 {} 个，递补 {} 条）",
                self.manifest.task_id,
                self.candidates,
                self.selected,
                self.teams,
                self.substitutions
            )
        } else {
            format!(
                "部分核对：任务 {} 的候选名单、种子、分层与抽中的 {} 户一致；检查组与递补未重新核对（利害关系声明 conflicts.csv 未公开，需向监督员索取审计用完整文件）",
                self.manifest.task_id, self.selected
            )
        }
    }

    /// The exit code of `shuangsuiji verify` and docs/verify_draw.py: 0 一致, 3 部分核对.
    pub fn exit_code(&self) -> u8 {
        if self.teams_rechecked { 0 } else { 3 }
    }
}

/// The names an export folder may hold.
pub const KNOWN_FILES: [&str; 6] = [
    MANIFEST,
    CANDIDATES,
    OFFICERS,
    CONFLICTS,
    RESULT,
    SUBSTITUTIONS_FILE,
];

/// Holds a folder to what spec §6 fixes: the CSV files byte for byte, the manifest by value.
pub fn verify(files: &BTreeMap<String, Vec<u8>>) -> Result<Verified, VerifyError> {
    if let Some(extra) = files
        .keys()
        .find(|name| !KNOWN_FILES.contains(&name.as_str()))
    {
        return Err(fail(extra, "不是 SSJ-DRAW/1 导出目录中的文件"));
    }
    let get = |name: &str| files.get(name).ok_or_else(|| fail(name, "缺少此文件"));
    let manifest = manifest_read::read(get(MANIFEST)?).map_err(|e| fail(MANIFEST, e))?;
    let candidates = get(CANDIDATES)?;
    let candidate_digest = sha256_hex(candidates);
    if candidate_digest != manifest.candidate_digest {
        // The seed is derived from the digest, so it tells which of the two was changed.
        let seed = derive_seed(&manifest.task_id, &candidate_digest, &manifest.reveals);
        if seed.hex() == manifest.seed {
            return Err(fail(
                MANIFEST,
                "candidate_digest 被改动：种子是由候选名单的真实摘要算出的",
            ));
        }
        return Err(fail(
            CANDIDATES,
            "SHA-256 与 manifest.json 中的 candidate_digest 不符",
        ));
    }
    match (
        &manifest.substitutions_digest,
        files.get(SUBSTITUTIONS_FILE),
    ) {
        (None, None) => {}
        (Some(_), None) => {
            return Err(fail(
                SUBSTITUTIONS_FILE,
                "缺少此文件（manifest.json 记录了其摘要）",
            ));
        }
        (None, Some(_)) => {
            return Err(fail(
                SUBSTITUTIONS_FILE,
                "manifest.json 未记录此文件的 SHA-256",
            ));
        }
        (Some(digest), Some(bytes)) => {
            if sha256_hex(bytes) != *digest {
                return Err(fail(
                    SUBSTITUTIONS_FILE,
                    "SHA-256 与 manifest.json 中的 substitutions_digest 不符",
                ));
            }
        }
    }
    let mut rules = Rules::new();
    for s in &manifest.strata {
        let ratio = Ratio::new(s.num, s.den).map_err(|e| fail(MANIFEST, e.to_string()))?;
        rules.insert(s.label.clone(), StratumRule { ratio, min: s.min });
    }
    let (officers, partial_pool) = match &manifest.officers {
        None => {
            for name in [OFFICERS, CONFLICTS] {
                if files.contains_key(name) {
                    return Err(fail(name, "本次抽取未选派执法人员，不应有此文件"));
                }
            }
            (None, None)
        }
        Some(t) => {
            for department in t.team.quotas.keys() {
                check_field("部门名称", department).map_err(|e| fail(MANIFEST, e.to_string()))?;
            }
            check_field("发起部门名称", &t.team.initiating_department)
                .map_err(|e| fail(MANIFEST, e.to_string()))?;
            let pool = get(OFFICERS)?;
            if sha256_hex(pool) != t.officer_pool_digest {
                return Err(fail(
                    OFFICERS,
                    "SHA-256 与 manifest.json 中的 officer_pool_digest 不符",
                ));
            }
            match files.get(CONFLICTS) {
                None => {
                    let parsed = parse_officers(pool).map_err(|e| fail(OFFICERS, e.to_string()))?;
                    // Settings no correct draw has (m < 2, Σ quotas > m, a quota its
                    // department cannot fill) are refused without the conflicts too.
                    crate::teams::Roster::new(&parsed, &[], &t.team)
                        .map_err(|e| fail(file_of(&e), e.to_string()))?;
                    (None, Some(parsed))
                }
                Some(conflicts) => {
                    if sha256_hex(conflicts) != t.conflicts_digest {
                        return Err(fail(
                            CONFLICTS,
                            "SHA-256 与 manifest.json 中的 conflicts_digest 不符",
                        ));
                    }
                    let input = OfficerInput {
                        pool_file: pool,
                        conflicts_file: conflicts,
                        team: t.team.clone(),
                    };
                    (Some(input), None)
                }
            }
        }
    };
    let input = DrawInput {
        task_id: &manifest.task_id,
        candidates_file: candidates,
        rules: &rules,
        commitments: &manifest.commitments,
        reveals: &manifest.reveals,
        officers,
    };
    let outcome = run(&input).map_err(|e| fail(file_of(&e), e.to_string()))?;
    compare(&outcome.manifest, &manifest, partial_pool.as_deref())
        .map_err(|why| fail(MANIFEST, why))?;
    let result = get(RESULT)?;
    let expected = outcome.result_csv();
    match (&partial_pool, &manifest.officers) {
        (Some(pool), Some(t)) => {
            result_without_teams(&expected, result, pool, &t.team).map_err(|e| fail(RESULT, e))?
        }
        _ if *result != expected => return Err(fail(RESULT, line_difference(&expected, result))),
        _ => {}
    }
    let substitutions = match files.get(SUBSTITUTIONS_FILE) {
        None => 0,
        // Officer 递补 depend on the conflicts: with the teams unchecked, only the file's form
        // is (its digest is bound by the manifest above).
        Some(bytes) if partial_pool.is_some() => parse_substitutions(bytes)
            .map_err(|e| fail(SUBSTITUTIONS_FILE, e.to_string()))?
            .len(),
        Some(bytes) => replay(&outcome, bytes)?,
    };
    Ok(Verified {
        candidates: outcome.candidates.len(),
        selected: outcome.selection.selected.len(),
        teams: outcome.officers.as_ref().map_or(0, |o| o.teams.len()),
        substitutions,
        teams_rechecked: partial_pool.is_none(),
        manifest,
    })
}

/// The published manifest against the recomputed one, by value (spec §6). `partial_pool` is the
/// officer pool when the teams cannot be recomputed: the load cap is then checked from it.
fn compare(
    recomputed: &Manifest,
    published: &Manifest,
    partial_pool: Option<&[Officer]>,
) -> Result<(), String> {
    if recomputed.seed != published.seed {
        return Err("seed 与由承诺、揭示值重新计算的种子不符".into());
    }
    let (ours, theirs) = (
        comparable_strata(&recomputed.strata),
        comparable_strata(&published.strata),
    );
    for (label, s) in &ours {
        let Some(t) = theirs.get(label) else {
            return Err(format!(
                "strata 缺少分层“{label}”（重新计算有 {} 个候选、抽中 {} 个）",
                s.n, s.k
            ));
        };
        for (name, a, b) in [
            ("N", s.n, t.n),
            ("k", s.k, t.k),
            ("reserves", s.reserves, t.reserves),
        ] {
            if a != b {
                return Err(format!(
                    "strata 中分层“{label}”的 {name} 应为 {a}，清单中为 {b}"
                ));
            }
        }
    }
    if let Some(label) = theirs.keys().find(|l| !ours.contains_key(*l)) {
        return Err(format!("strata 中分层“{label}”没有候选，却写有抽取数"));
    }
    match (&recomputed.officers, &published.officers, partial_pool) {
        (_, Some(t), Some(pool)) => {
            let selected: u64 = ours.values().map(|s| s.k).sum();
            let cap = officer_cap(selected, t.team.size, pool.len())?;
            if cap != t.officer_cap {
                return Err(format!(
                    "officer_cap 应为 {cap}，清单中为 {}",
                    t.officer_cap
                ));
            }
        }
        (Some(a), Some(b), None) if a.officer_cap != b.officer_cap => {
            return Err(format!(
                "officer_cap 应为 {}，清单中为 {}",
                a.officer_cap, b.officer_cap
            ));
        }
        (a, b, None) if a != b => return Err("检查组设置与重新计算的结果不符".into()),
        _ => {}
    }
    Ok(())
}

/// `cap = ceil(K × m / P)` (spec §4).
fn officer_cap(selected: u64, size: usize, pool: usize) -> Result<u64, String> {
    if pool == 0 {
        return Err("执法人员库为空，无法组成检查组".into());
    }
    let product = u128::from(selected) * size as u128;
    Ok(product.div_ceil(pool as u128) as u64)
}

/// `result.csv` of a draw whose teams cannot be recomputed: every line's rank, key, stratum and
/// ticket byte for byte; its team a set of `m` distinct officers of the pool, its leader the
/// one the spec's rule names among them.
fn result_without_teams(
    expected: &[u8],
    got: &[u8],
    pool: &[Officer],
    spec: &TeamSpec,
) -> Result<(), String> {
    let text = std::str::from_utf8(got).map_err(|_| "不是有效的 UTF-8 文本".to_string())?;
    let expected = std::str::from_utf8(expected).expect("written as UTF-8");
    let body = text.strip_suffix('\n').ok_or("文件应以换行符（LF）结束")?;
    let (ours, theirs): (Vec<&str>, Vec<&str>) = (
        expected.trim_end_matches('\n').split('\n').collect(),
        body.split('\n').collect(),
    );
    if ours.len() != theirs.len() {
        return Err(format!(
            "应有 {} 行（含表头），文件中为 {} 行",
            ours.len(),
            theirs.len()
        ));
    }
    if ours[0] != theirs[0] {
        return Err(format!("表头应为“{}”", ours[0]));
    }
    let department = |id: &str| {
        pool.binary_search_by(|o| o.id.as_bytes().cmp(id.as_bytes()))
            .ok()
            .map(|i| pool[i].department.as_str())
    };
    for (n, (e, g)) in ours.iter().zip(&theirs).enumerate().skip(1) {
        let line = n + 1;
        let prefix = e.strip_suffix(',').expect("an empty leader column");
        let Some(team) = g.strip_prefix(prefix) else {
            return Err(format!(
                "第 {line} 行与重新计算的结果不符，前四列应为“{}”",
                prefix.trim_end_matches(',')
            ));
        };
        let Some((members, leader)) = team.split_once(',') else {
            return Err(format!("第 {line} 行应有 6 列"));
        };
        let members: Vec<&str> = members.split(';').collect();
        if members.len() != spec.size {
            return Err(format!(
                "第 {line} 行的检查组应有 {} 人，文件中为 {} 人",
                spec.size,
                members.len()
            ));
        }
        for (i, m) in members.iter().enumerate() {
            if department(m).is_none() {
                return Err(format!("第 {line} 行的执法人员 {m} 不在 officers.csv 中"));
            }
            if members[..i].contains(m) {
                return Err(format!("第 {line} 行的执法人员 {m} 出现了两次"));
            }
        }
        let rule = members
            .iter()
            .find(|m| department(m) == Some(spec.initiating_department.as_str()))
            .unwrap_or(&members[0]);
        if leader != *rule {
            return Err(format!("第 {line} 行的组长应为 {rule}"));
        }
    }
    Ok(())
}

fn replay(outcome: &DrawOutcome, bytes: &[u8]) -> Result<usize, VerifyError> {
    let rows = parse_substitutions(bytes).map_err(|e| fail(SUBSTITUTIONS_FILE, e.to_string()))?;
    let roster = outcome.roster();
    let mut state = DrawState::new(outcome, roster.as_ref());
    for (i, row) in rows.iter().enumerate() {
        state
            .replay(row)
            .map_err(|e| fail(SUBSTITUTIONS_FILE, format!("第 {} 行：{e}", i + 2)))?;
    }
    if let Some((key, officer)) = state.conflicted_members().first() {
        return Err(fail(
            SUBSTITUTIONS_FILE,
            format!("执法人员 {officer} 与检查对象 {key} 存在利害关系，却仍在其检查组中"),
        ));
    }
    Ok(rows.len())
}

/// The file a draw error is about, for the verifier's message.
fn file_of(e: &DrawError) -> &'static str {
    match e {
        DrawError::BadFile { file, .. } => file,
        DrawError::EmptyScope => CANDIDATES,
        DrawError::TeamTooSmall(_)
        | DrawError::QuotaOverSize { .. }
        | DrawError::TooFewOfficers { .. }
        | DrawError::QuotaUnfillable { .. }
        | DrawError::NoValidTeam { .. } => OFFICERS,
        _ => MANIFEST,
    }
}

fn line_difference(expected: &[u8], got: &[u8]) -> String {
    let mut a = expected.split(|&b| b == b'\n');
    let mut b = got.split(|&b| b == b'\n');
    let mut line = 1;
    loop {
        match (a.next(), b.next()) {
            (Some(x), Some(y)) if x == y => line += 1,
            (Some(x), _) => {
                return format!(
                    "第 {line} 行与重新计算的结果不符，应为“{}”",
                    String::from_utf8_lossy(x)
                );
            }
            (None, _) => return format!("第 {line} 行起多出了内容"),
        }
    }
}
