//! Recomputes a published draw from its export folder alone (spec §5) and names the first file
//! that does not match: a changed byte anywhere fails.

use std::collections::BTreeMap;

use crate::draw::{DrawInput, DrawOutcome, OfficerInput, run};
use crate::error::DrawError;
use crate::files::{CANDIDATES, CONFLICTS, OFFICERS, SUBSTITUTIONS_FILE};
use crate::hash::sha256_hex;
use crate::manifest::{ALGORITHM, MANIFEST, Manifest, RESULT};
use crate::ratio::Ratio;
use crate::seed::derive_seed;
use crate::select::{Rules, StratumRule};
use crate::substitute::{DrawState, parse as parse_substitutions};

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

pub fn verify(files: &BTreeMap<String, Vec<u8>>) -> Result<Verified, VerifyError> {
    if let Some(extra) = files
        .keys()
        .find(|name| !KNOWN_FILES.contains(&name.as_str()))
    {
        return Err(fail(extra, "不是 SSJ-DRAW/1 导出目录中的文件"));
    }
    let get = |name: &str| files.get(name).ok_or_else(|| fail(name, "缺少此文件"));
    let manifest_bytes = get(MANIFEST)?;
    let manifest: Manifest = serde_json::from_slice(manifest_bytes)
        .map_err(|e| fail(MANIFEST, format!("不是有效的清单：{e}")))?;
    if manifest.render() != *manifest_bytes {
        return Err(fail(MANIFEST, "内容与其规范写法逐字节不一致（被改动过）"));
    }
    if manifest.algorithm != ALGORITHM {
        return Err(fail(MANIFEST, format!("算法应为 {ALGORITHM}")));
    }
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
    let officers = match &manifest.officers {
        None => {
            for name in [OFFICERS, CONFLICTS] {
                if files.contains_key(name) {
                    return Err(fail(name, "本次抽取未选派执法人员，不应有此文件"));
                }
            }
            None
        }
        Some(t) => {
            let (pool, conflicts) = (get(OFFICERS)?, get(CONFLICTS)?);
            if sha256_hex(pool) != t.officer_pool_digest {
                return Err(fail(
                    OFFICERS,
                    "SHA-256 与 manifest.json 中的 officer_pool_digest 不符",
                ));
            }
            if sha256_hex(conflicts) != t.conflicts_digest {
                return Err(fail(
                    CONFLICTS,
                    "SHA-256 与 manifest.json 中的 conflicts_digest 不符",
                ));
            }
            Some(OfficerInput {
                pool_file: pool,
                conflicts_file: conflicts,
                team: t.team.clone(),
            })
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
    let mut recomputed = outcome.manifest.clone();
    recomputed
        .substitutions_digest
        .clone_from(&manifest.substitutions_digest);
    if recomputed != manifest {
        return Err(fail(
            MANIFEST,
            first_difference(&outcome.manifest, &manifest),
        ));
    }
    let result = get(RESULT)?;
    let expected = outcome.result_csv();
    if *result != expected {
        return Err(fail(RESULT, line_difference(&expected, result)));
    }
    let substitutions = match files.get(SUBSTITUTIONS_FILE) {
        None => 0,
        Some(bytes) => replay(&outcome, bytes)?,
    };
    Ok(Verified {
        candidates: outcome.candidates.len(),
        selected: outcome.selection.selected.len(),
        teams: outcome.officers.as_ref().map_or(0, |o| o.teams.len()),
        substitutions,
        manifest,
    })
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

fn first_difference(recomputed: &Manifest, published: &Manifest) -> String {
    if recomputed.commitments != published.commitments || recomputed.reveals != published.reveals {
        return "承诺值或揭示值与重新计算的结果不符".to_string();
    }
    if recomputed.seed != published.seed {
        return "seed 与由承诺、揭示值重新计算的种子不符".to_string();
    }
    if recomputed.strata != published.strata {
        return "strata（各层 N、k、备选数）与重新计算的结果不符".to_string();
    }
    "officer_cap 或检查组设置与重新计算的结果不符".to_string()
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
