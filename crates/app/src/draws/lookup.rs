//! The public lookup (is this company drawn, and why), answered from the draw's lookup index:
//! one block of the sorted candidate file, one ticket hashed, one pick read, the draw's few
//! 递补 rows. A draw made before the index existed gets it on its first lookup.
//!
//! Also the public export zip, built once and stored with its digest: its files never change
//! but for `substitutions.csv`, so it is built again only after a 递补.

use super::current::HistoryRow;
use crate::{AppError, AppResult, ErrorKind, Platform};
use serde::Serialize;
use ssj_draw::Manifest;
use ssj_storage::{Draw, DrawStatus, KeyBlock, StoredExport};

/// Where a company stands in a draw.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Not in the candidate file (outside the scope, or excluded by a rule).
    NotCandidate,
    /// A candidate whose ticket is above its stratum's cutoff.
    NotDrawn,
    /// Drawn and on the list as it is inspected.
    Drawn,
    /// Drawn, then replaced by a 递补.
    Replaced,
    /// A reserve brought onto the list by a 递补.
    Substitute,
    /// Brought in by a 递补, then replaced in turn.
    SubstituteReplaced,
}

#[derive(Debug, Clone, Serialize)]
pub struct Lookup {
    pub key: String,
    pub name: String,
    pub candidate: bool,
    pub standing: Standing,
    pub stratum: String,
    pub ticket: String,
    /// The slot's rank in the draw order while the company is on the list.
    pub rank: Option<u64>,
    pub n: u64,
    pub k: u64,
    /// The largest selected ticket of the stratum: tickets at or below it were drawn.
    pub cutoff: String,
    /// The 递补 rows that brought the company in or took it off, named.
    pub history: Vec<HistoryRow>,
}

impl Platform {
    /// Places `key` (a code, any case) in a drawn draw.
    pub async fn lookup_in_draw(&self, draw_id: i64, key: &str) -> AppResult<Lookup> {
        let draw = self.draw(draw_id).await?;
        let manifest: Manifest = draw
            .manifest
            .as_deref()
            .and_then(|m| serde_json::from_str(m).ok())
            .ok_or_else(|| {
                AppError::new(ErrorKind::Conflict, "DRAW_NOT_DRAWN", "该次抽取尚未完成")
            })?;
        let key = key.trim().to_ascii_uppercase();
        let cutoffs = self.cutoffs(&draw).await?;
        let mut lookup = Lookup {
            name: self
                .object_names(std::slice::from_ref(&key))
                .await?
                .remove(&key)
                .unwrap_or_default(),
            key,
            candidate: false,
            standing: Standing::NotCandidate,
            stratum: String::new(),
            ticket: String::new(),
            rank: None,
            n: 0,
            k: 0,
            cutoff: String::new(),
            history: Vec::new(),
        };
        let block = self.store.key_block(draw.id, &lookup.key).await?;
        let Some(stratum) = block.and_then(|b| ssj_draw::lookup::stratum_in_block(&b, &lookup.key))
        else {
            return Ok(lookup);
        };
        let seed: [u8; 32] = hex::decode(&manifest.seed)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| AppError::internal("抽取清单中的种子无效"))?;
        lookup.ticket = hex::encode(ssj_draw::ticket(&ssj_draw::Seed(seed), &lookup.key));
        lookup.cutoff = cutoffs
            .iter()
            .find(|(label, _)| *label == stratum)
            .map(|(_, c)| c.clone())
            .unwrap_or_default();
        if let Some(s) = manifest.strata.iter().find(|s| s.label == stratum) {
            (lookup.n, lookup.k) = (s.n, s.k);
        }
        lookup.stratum = stratum;
        lookup.candidate = true;
        let drawn = !lookup.cutoff.is_empty() && lookup.ticket <= lookup.cutoff;
        let pick = self.store.pick_of(draw.id, &lookup.key).await?;
        lookup.rank = pick.map(|p| p.rank as u64);
        let subs = self.store.substitutions(draw.id).await?;
        let mentions: Vec<_> = subs
            .iter()
            .filter(|x| {
                x.kind == "object" && (x.replaced == lookup.key || x.replacement == lookup.key)
            })
            .cloned()
            .collect();
        let came_in = mentions.iter().any(|x| x.replacement == lookup.key);
        lookup.standing = match (lookup.rank.is_some(), drawn, came_in) {
            (true, true, _) => Standing::Drawn,
            (true, false, _) => Standing::Substitute,
            (false, true, _) => Standing::Replaced,
            (false, false, true) => Standing::SubstituteReplaced,
            (false, false, false) => Standing::NotDrawn,
        };
        if !mentions.is_empty() {
            lookup.history = self.named_history(&mentions).await?;
        }
        Ok(lookup)
    }

    /// The same company in the current draw of every task with a drawn draw; by code or by the
    /// exact name (full-width or half-width brackets alike). Tasks where it is not a candidate
    /// are left out.
    pub async fn lookup_everywhere(
        &self,
        query: &str,
    ) -> AppResult<Vec<(ssj_storage::Task, Lookup)>> {
        let query = query.trim();
        if query.is_empty() {
            return Err(AppError::invalid(
                "LOOKUP_EMPTY",
                "请输入企业名称或统一社会信用代码",
            ));
        }
        let mut codes = vec![query.to_ascii_uppercase()];
        for name in name_variants(query) {
            codes.extend(
                self.store
                    .objects_named(&name)
                    .await?
                    .into_iter()
                    .map(|o| o.code),
            );
        }
        codes.sort_unstable();
        codes.dedup();
        let mut out = Vec::new();
        for task in self.tasks().await? {
            let Some(draw) = self
                .draws(task.id)
                .await?
                .into_iter()
                .rev()
                .find(|d| d.status == DrawStatus::Drawn)
            else {
                continue;
            };
            for code in &codes {
                let l = self.lookup_in_draw(draw.id, code).await?;
                if l.candidate {
                    out.push((task.clone(), l));
                }
            }
        }
        Ok(out)
    }

    /// The draw's stratum cutoffs, building its lookup index first if it has none.
    async fn cutoffs(&self, draw: &Draw) -> AppResult<Vec<(String, String)>> {
        if let Some(json) = self.store.draw_cutoffs(draw.id).await? {
            return serde_json::from_str(&json)
                .map_err(|e| AppError::internal(format!("抽取查询索引无法读取：{e}")));
        }
        let _one_builder = self.index_builds.lock().await;
        if let Some(json) = self.store.draw_cutoffs(draw.id).await? {
            return serde_json::from_str(&json)
                .map_err(|e| AppError::internal(format!("抽取查询索引无法读取：{e}")));
        }
        let files = self
            .store
            .draw_files(draw.id)
            .await?
            .ok_or_else(|| AppError::internal("抽取文件缺失"))?;
        let result = files.result.ok_or_else(|| {
            AppError::new(ErrorKind::Conflict, "DRAW_NOT_DRAWN", "该次抽取尚未完成")
        })?;
        let candidates = files.candidates;
        let (blocks, cutoffs) =
            tokio::task::spawn_blocking(move || lookup_index(&candidates, &result))
                .await
                .map_err(|e| AppError::internal(format!("计算中断：{e}")))??;
        let json = serde_json::to_string(&cutoffs).expect("plain data");
        let mut tx = self.store.begin().await?;
        tx.put_lookup_index(draw.id, &blocks, &json).await?;
        tx.commit().await?;
        Ok(cutoffs)
    }

    /// The public export zip of a drawn draw, built and stored once (again after a 递补).
    pub async fn public_zip(&self, draw_id: i64) -> AppResult<StoredExport> {
        let subs = self.store.substitutions(draw_id).await?.len() as i64;
        if let Some(e) = self.store.draw_export_zip(draw_id).await?
            && e.substitutions == subs
        {
            return Ok(e);
        }
        let _one_builder = self.index_builds.lock().await;
        if let Some(e) = self.store.draw_export_zip(draw_id).await?
            && e.substitutions == subs
        {
            return Ok(e);
        }
        let draw = self.draw(draw_id).await?;
        let task = self.task(draw.task_id).await?;
        let files = self.public_export(draw_id).await?;
        let folder = format!("{}-{}", task.code, draw.round);
        let bytes = tokio::task::spawn_blocking(move || super::zip::pack(&folder, &files))
            .await
            .map_err(|e| AppError::internal(format!("打包中断：{e}")))??;
        let export = StoredExport {
            substitutions: subs,
            digest: ssj_draw::hash::sha256_hex(&bytes),
            bytes,
        };
        let mut tx = self.store.begin().await?;
        tx.put_draw_export(draw_id, &export).await?;
        tx.commit().await?;
        Ok(export)
    }
}

/// A draw's key blocks and its strata's cutoffs `(label, ticket)`.
pub(super) type LookupIndex = (Vec<KeyBlock>, Vec<(String, String)>);

/// The lookup index of a drawn draw: blocks of its candidate file and its strata's cutoffs.
pub(super) fn lookup_index(candidates: &[u8], result: &[u8]) -> AppResult<LookupIndex> {
    let cutoffs = ssj_draw::lookup::cutoffs(result)?;
    let blocks = ssj_draw::lookup::key_blocks(candidates)
        .into_iter()
        .map(|b| KeyBlock {
            first_key: b.first_key,
            lines: b.lines,
        })
        .collect();
    Ok((blocks, cutoffs))
}

/// A name as typed, and with its brackets turned the other way (企业名称 mix `（）` and `()`).
fn name_variants(name: &str) -> Vec<String> {
    let full = name.replace('(', "（").replace(')', "）");
    let half = name.replace('（', "(").replace('）', ")");
    let mut out = vec![name.to_string(), full, half];
    out.dedup();
    out
}

pub fn standing_label(s: &Standing) -> &'static str {
    match s {
        Standing::NotCandidate => "不在候选名单中",
        Standing::NotDrawn => "未被抽中",
        Standing::Drawn => "被抽中",
        Standing::Replaced => "被抽中后因递补被替换",
        Standing::Substitute => "经递补列入检查名单",
        Standing::SubstituteReplaced => "经递补列入后又被替换",
    }
}
