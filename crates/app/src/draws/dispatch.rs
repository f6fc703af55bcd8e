//! The list an office dispatches from: the drawn list as it is now inspected (after every
//! 递补), with what a team needs at the door — the object's name, code, address, division and
//! tier, the items, the team with departments and certificate numbers, the leader and the
//! window — as xlsx or CSV, and as a printable 派发单 per department.

use super::current::{ListedRow, Member};
use crate::{Actor, AppError, AppResult, Platform};
use serde::Serialize;
use ssj_domain::Permission;
use ssj_import::export::TableFormat;

pub const DISPATCH_HEADER: &[&str] = &[
    "检查顺序",
    "检查对象名称",
    "统一社会信用代码（注册号）",
    "地址",
    "行政区划",
    "信用风险等级",
    "抽查事项",
    "检查组成员（部门，执法证号）",
    "组长",
    "检查时限",
    "递补情况",
];

/// The dispatch list of a task's current draw.
#[derive(Debug, Clone, Serialize)]
pub struct Dispatch {
    pub task_code: String,
    pub task_name: String,
    pub department: String,
    pub window: String,
    pub items: Vec<String>,
    pub rows: Vec<ListedRow>,
    /// Per department: its members' rows (a 派发单 each), in the order of the task's teams.
    pub sheets: Vec<DispatchSheet>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DispatchSheet {
    pub department: String,
    /// Ranks of the rows on which this department has a member.
    pub rows: Vec<usize>,
    pub officers: usize,
}

fn member_text(m: &Member) -> String {
    format!("{}（{}，{}）", m.name, m.department, m.cert_no)
}

impl Platform {
    /// The whole dispatch list of the task's current drawn draw.
    pub async fn dispatch(&self, actor: &Actor, task_id: i64) -> AppResult<Dispatch> {
        actor.require(Permission::ViewConsole)?;
        let task = self.task(task_id).await?;
        let spec = crate::tasks::TaskSpec::parse(&task.spec)?;
        // A cooperating department (1+X) dispatches its own officers from the same list.
        let partner = actor
            .department_id
            .is_some_and(|d| spec.departments(task.department_id).contains(&d));
        if !partner {
            self.check_task_scope(actor, &task).await?;
        }
        let draw = self
            .draws(task.id)
            .await?
            .into_iter()
            .rev()
            .find(|d| d.status == ssj_storage::DrawStatus::Drawn)
            .ok_or_else(|| AppError::not_found("DRAW_NOT_FOUND", "该任务还没有完成的抽取"))?;
        let list = self.current_list(draw.id, None).await?;
        let items = self
            .task_items(task.id)
            .await?
            .into_iter()
            .map(|i| format!("{}：{}", i.department, i.name))
            .collect();
        let mut sheets: Vec<DispatchSheet> = Vec::new();
        for (i, row) in list.rows.iter().enumerate() {
            for m in &row.members {
                let sheet = match sheets.iter_mut().position(|s| s.department == m.department) {
                    Some(p) => &mut sheets[p],
                    None => {
                        sheets.push(DispatchSheet {
                            department: m.department.clone(),
                            rows: Vec::new(),
                            officers: 0,
                        });
                        sheets.last_mut().expect("just pushed")
                    }
                };
                if sheet.rows.last() != Some(&i) {
                    sheet.rows.push(i);
                }
                sheet.officers += 1;
            }
        }
        Ok(Dispatch {
            department: self
                .department_names()
                .await?
                .remove(&task.department_id)
                .unwrap_or_default(),
            task_code: task.code,
            task_name: task.name,
            window: format!("{} 至 {}", spec.window_from, spec.window_to),
            items,
            rows: list.rows,
            sheets,
        })
    }

    /// The dispatch list as a file.
    pub async fn dispatch_file(
        &self,
        actor: &Actor,
        task_id: i64,
        format: TableFormat,
    ) -> AppResult<(Dispatch, Vec<u8>)> {
        let d = self.dispatch(actor, task_id).await?;
        let items = d.items.join("；");
        let rows: Vec<Vec<String>> = d
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.rank.to_string(),
                    r.name.clone(),
                    r.key.clone(),
                    r.address.clone(),
                    r.division.clone(),
                    r.stratum.clone(),
                    items.clone(),
                    r.members
                        .iter()
                        .map(member_text)
                        .collect::<Vec<_>>()
                        .join("、"),
                    r.leader
                        .as_ref()
                        .map(|m| m.name.clone())
                        .unwrap_or_default(),
                    d.window.clone(),
                    r.replaced
                        .as_ref()
                        .map(|x| format!("递补 {x}"))
                        .unwrap_or_default(),
                ]
            })
            .collect();
        let bytes = self
            .offload(move || {
                ssj_import::export::write_table(
                    format,
                    "检查名单",
                    DISPATCH_HEADER,
                    rows.into_iter(),
                )
            })
            .await?
            .map_err(|e| AppError::internal(format!("导出失败：{e}")))?;
        Ok((d, bytes))
    }
}
