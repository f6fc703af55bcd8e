//! The directory of inspected objects: import (upsert by code, with history), list, export.

mod edit;
mod import;
mod reader;

use crate::{Actor, AppError, AppResult, Platform};
use serde::Serialize;
use ssj_domain::Permission;
use ssj_storage::Object;
use std::collections::HashMap;

/// The content of an object, for comparison, history and the audit log. Fields are in sorted
/// order, so serialising it directly gives the canonical snapshot ([`ssj_domain::audit::snapshot`])
/// without building a JSON map for each of a million objects (a test holds the two equal).
#[derive(Serialize, PartialEq)]
pub(crate) struct ObjectSnapshot<'a> {
    abnormal: bool,
    address: &'a str,
    authority: &'a str,
    code: &'a str,
    code_flagged: bool,
    division: &'a str,
    industry: &'a str,
    kind: &'static str,
    last_inspected: &'a str,
    legal_rep: &'a str,
    licences: &'a [ssj_storage::Licence],
    name: &'a str,
    scale: &'a str,
    serious_violation: bool,
    status: &'static str,
    tags: &'a [String],
    tier: &'static str,
    tier_date: &'a str,
    tier_source: &'a str,
}

pub(crate) fn content(o: &Object) -> ObjectSnapshot<'_> {
    ObjectSnapshot {
        abnormal: o.abnormal,
        address: &o.address,
        authority: &o.authority,
        code: &o.code,
        code_flagged: o.code_flagged,
        division: &o.division,
        industry: &o.industry,
        kind: o.kind.label(),
        last_inspected: &o.last_inspected,
        legal_rep: &o.legal_rep,
        licences: &o.licences,
        name: &o.name,
        scale: &o.scale,
        serious_violation: o.serious_violation,
        status: o.status.label(),
        tags: &o.tags,
        tier: o.tier.label(),
        tier_date: &o.tier_date,
        tier_source: &o.tier_source,
    }
}

/// Feeds an object's snapshot and a line break to a digest, without building the string.
pub(crate) fn snapshot_into(digest: &mut sha2::Sha256, o: &Object) {
    struct Feed<'a>(&'a mut sha2::Sha256);
    impl std::io::Write for Feed<'_> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            sha2::Digest::update(self.0, buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    serde_json::to_writer(Feed(digest), &content(o)).expect("plain data serialises");
    sha2::Digest::update(digest, b"\n");
}

/// The canonical snapshot of an object's content.
pub(crate) fn snapshot_of(o: &Object) -> String {
    serde_json::to_string(&content(o)).expect("plain data serialises")
}

/// Columns of an exported (or template) directory; they read back through the importer.
pub const OBJECT_EXPORT_HEADER: &[&str] = &[
    "统一社会信用代码/注册号",
    "名称",
    "类型",
    "法定代表人",
    "地址",
    "行政区划",
    "属地监管机关",
    "行业",
    "规模",
    "登记状态",
    "信用风险分类",
    "分类日期",
    "分类来源",
    "专项库标签",
    "经营异常名录",
    "严重违法失信",
    "最近检查日期",
    "许可证名称",
    "许可证编号",
    "许可证有效期至",
    "代码存疑",
];

pub fn export_row(o: &Object) -> Vec<String> {
    let yes = |b: bool| if b { "是" } else { "否" }.to_string();
    let licence = o.licences.first();
    vec![
        o.code.clone(),
        o.name.clone(),
        o.kind.label().into(),
        o.legal_rep.clone(),
        o.address.clone(),
        o.division.clone(),
        o.authority.clone(),
        o.industry.clone(),
        o.scale.clone(),
        o.status.label().into(),
        o.tier.label().into(),
        o.tier_date.clone(),
        o.tier_source.clone(),
        o.tags.join("、"),
        yes(o.abnormal),
        yes(o.serious_violation),
        o.last_inspected.clone(),
        licence.map(|l| l.name.clone()).unwrap_or_default(),
        licence.map(|l| l.number.clone()).unwrap_or_default(),
        licence.map(|l| l.valid_until.clone()).unwrap_or_default(),
        if o.code_flagged { "是" } else { "" }.into(),
    ]
}

impl Platform {
    /// A page of the object directory (businesses are no department's: every console user
    /// sees the directory).
    pub async fn objects(
        &self,
        actor: &Actor,
        filter: &ssj_storage::ObjectFilter,
    ) -> AppResult<(Vec<Object>, u64)> {
        actor.require(Permission::ViewConsole)?;
        Ok(self.store.objects(filter).await?)
    }

    pub async fn object_tier_counts(
        &self,
        actor: &Actor,
        filter: &ssj_storage::ObjectFilter,
    ) -> AppResult<Vec<(ssj_domain::objects::Tier, u64)>> {
        actor.require(Permission::ViewConsole)?;
        Ok(self.store.object_tier_counts(filter).await?)
    }

    pub async fn object_by_code(&self, actor: &Actor, code: &str) -> AppResult<Object> {
        actor.require(Permission::ViewConsole)?;
        self.store.object_by_code(code).await?.ok_or_else(|| {
            AppError::not_found("OBJECT_NOT_FOUND", format!("检查对象 {code} 不存在"))
        })
    }

    pub async fn object_history(
        &self,
        actor: &Actor,
        object_id: i64,
    ) -> AppResult<Vec<ssj_storage::ObjectChange>> {
        actor.require(Permission::ViewConsole)?;
        Ok(self.store.object_history(object_id).await?)
    }

    /// Objects' names by code, for naming the drawn objects of a published draw (public).
    pub async fn object_names(&self, codes: &[String]) -> AppResult<HashMap<String, String>> {
        Ok(self
            .store
            .objects_with_codes(codes)
            .await?
            .into_iter()
            .map(|o| (o.code, o.name))
            .collect())
    }

    /// The directory under a filter as a file (all pages), or the template when it is empty.
    pub async fn export_objects(
        &self,
        filter: &ssj_storage::ObjectFilter,
        format: ssj_import::export::TableFormat,
    ) -> AppResult<Vec<u8>> {
        let mut rows = Vec::new();
        // Keyset pages in code order: the last page of a million costs what the first does.
        let mut page = ssj_storage::ObjectFilter {
            offset: 0,
            limit: 10_000,
            sort: ssj_storage::ObjectSort::Code,
            after: None,
            ..filter.clone()
        };
        loop {
            let (objects, _) = self.store.objects(&page).await?;
            rows.extend(objects.iter().map(export_row));
            match objects.last() {
                Some(last) if objects.len() as u64 == page.limit => {
                    if page.searches_names() {
                        page.after_id = Some(last.id); // such lists are in entry order
                    } else {
                        page.after = Some((last.division.clone(), last.code.clone()));
                    }
                }
                _ => break,
            }
        }
        self.offload(move || {
            ssj_import::export::write_table(
                format,
                "检查对象名录",
                OBJECT_EXPORT_HEADER,
                rows.into_iter(),
            )
        })
        .await?
        .map_err(|e| AppError::internal(format!("导出失败：{e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ssj_domain::objects::{ObjectKind, RegistrationStatus, Tier};

    #[test]
    fn direct_snapshot_is_the_canonical_one() {
        let o = Object {
            id: 1,
            code: "91140581MA0L1234X5".into(),
            code_flagged: true,
            name: "高平市\"泽鑫\"商贸有限公司".into(),
            kind: ObjectKind::Enterprise,
            legal_rep: "李四".into(),
            address: "高平市\n米山镇".into(),
            division: "140581".into(),
            authority: "高平市市场监督管理局".into(),
            industry: "5211".into(),
            scale: "小型".into(),
            status: RegistrationStatus::Active,
            tier: Tier::C,
            tier_date: "2024-03-01".into(),
            tier_source: "企业信用风险分类".into(),
            tags: vec!["食品".into(), "特种设备".into()],
            abnormal: true,
            serious_violation: false,
            last_inspected: "2023-10-09".into(),
            licences: vec![ssj_storage::Licence {
                name: "食品经营许可证".into(),
                number: "JY11405810001".into(),
                valid_until: "2027-01-01".into(),
            }],
            created_ms: 1,
            updated_ms: 2,
        };
        assert_eq!(snapshot_of(&o), ssj_domain::audit::snapshot(&content(&o)));
    }
}
