//! `plan …`: annual plans imported from the table officials circulate, and their lifecycle.

use clap::{Args, Subcommand};
use ssj_app::plans::PlanView;
use ssj_app::plans::import::{Mappings, NewPlan, PlanPreview, plan_text, title_and_year};
use ssj_app::plans::lifecycle::PlanStep;
use ssj_app::{Actor, AppError, AppResult, Platform, clock};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum PlanCommand {
    /// 导入年度抽查工作计划表（docx、xlsx、xls，或从 Word/WPS/Excel 复制的文本）；未处理完的问题逐条列出，不创建任何内容
    Import(Box<ImportPlan>),
    /// 用修订后的计划表替换草稿或修订版中的任务
    Reimport {
        /// 计划编号或 id
        #[arg(value_name = "计划")]
        plan: String,
        /// 计划表文件
        #[arg(value_name = "文件")]
        file: PathBuf,
        /// 名称对应：“表中写法=部门或事项（编号或完整名称）”；可重复，对应关系会被记住
        #[arg(long, value_name = "写法=对应")]
        map: Vec<String>,
    },
    /// 列出抽查计划
    List,
    /// 显示计划的各个版本、任务及修订变更
    Show {
        /// 计划编号或 id
        /// 计划编号或 id
        #[arg(value_name = "计划")]
        plan: String,
    },
    /// 发布计划（修订版发布时附变更清单）
    Publish {
        /// 计划编号或 id
        #[arg(value_name = "计划")]
        plan: String,
    },
    /// 修订已发布的计划：生成新版本，发布前公众仍看到上一版
    Revise {
        /// 计划编号或 id
        #[arg(value_name = "计划")]
        plan: String,
        /// 修订理由（随修订版公开）
        #[arg(long, value_name = "理由")]
        reason: String,
    },
    /// 标记计划已完成
    Complete {
        /// 计划编号或 id
        #[arg(value_name = "计划")]
        plan: String,
    },
    /// 归档已完成的计划
    Archive {
        /// 计划编号或 id
        #[arg(value_name = "计划")]
        plan: String,
    },
}

#[derive(Args)]
pub struct ImportPlan {
    /// 计划表文件
    #[arg(value_name = "文件")]
    file: PathBuf,
    /// 计划所属行政区划（6 位代码；默认为所属部门的区划）
    #[arg(long, value_name = "区划代码")]
    division: Option<String>,
    /// 计划所属部门（编号或完整名称；内部计划的任务由它发起）；不加则以领导小组办公室名义导入
    #[arg(long, value_name = "部门")]
    department: Option<String>,
    /// 计划年度（默认取自标题，否则为今年）
    #[arg(long, value_name = "年度")]
    year: Option<u32>,
    /// 计划名称（默认取自文件中的标题行）
    #[arg(long, value_name = "名称")]
    title: Option<String>,
    /// 计划完成时限（YYYY-MM-DD；默认为各任务最晚的结束日期）
    #[arg(long, value_name = "日期")]
    completion: Option<String>,
    /// 名称对应：“表中写法=部门或事项（编号或完整名称）”；可重复，对应关系会被记住
    #[arg(long, value_name = "写法=对应")]
    map: Vec<String>,
    /// 只显示读取结果，不创建
    #[arg(long)]
    dry_run: bool,
    /// 输出格式：text 或 json（默认 text）
    #[arg(long, default_value = "text", value_name = "格式")]
    format: String,
}

fn bad(code: &'static str, message: impl Into<String>) -> AppError {
    AppError::invalid(code, message)
}

fn read_file(path: &PathBuf) -> AppResult<String> {
    let bytes = std::fs::read(path)
        .map_err(|e| bad("FILE_READ", format!("无法读取文件 {}：{e}", path.display())))?;
    plan_text(&bytes)
}

/// Turns `写法=对应` into the preview's mapping keys: the written name is looked up among the
/// names the preview could not resolve, the target by id or exact name.
async fn mappings(
    p: &Platform,
    actor: &Actor,
    preview: &PlanPreview,
    given: &[String],
) -> AppResult<Mappings> {
    let mut out = Mappings::new();
    if given.is_empty() {
        return Ok(out);
    }
    let departments = p.departments().await?;
    let items = match p.published_items_version().await? {
        Some(v) => p.version_items(Some(actor), v.id).await?,
        None => Vec::new(),
    };
    for text in given {
        let (written, target) = text
            .split_once('=')
            .map(|(a, b)| (a.trim(), b.trim()))
            .ok_or_else(|| bad("ARGUMENT", format!("“{text}”应为 表中写法=部门或事项")))?;
        let squeezed: String = written.chars().filter(|c| !c.is_whitespace()).collect();
        let is = |key: &str, kind: &str| key == format!("{kind}:{squeezed}");
        if preview.departments.iter().any(|u| is(&u.key, "department")) {
            let d = departments
                .iter()
                .find(|d| d.id.to_string() == target || d.name == target)
                .ok_or_else(|| bad("DEPARTMENT_NOT_FOUND", format!("找不到部门：{target}")))?;
            out.insert(format!("department:{squeezed}"), d.id);
        } else if preview.items.iter().any(|u| is(&u.key, "item")) {
            let i = items
                .iter()
                .find(|i| i.id.to_string() == target || i.name == target)
                .ok_or_else(|| {
                    bad(
                        "ITEM_NOT_FOUND",
                        format!("已发布的事项清单中没有：{target}"),
                    )
                })?;
            out.insert(format!("item:{squeezed}"), i.id);
        } else {
            return Err(bad(
                "MAP_UNUSED",
                format!("“{written}”不是计划表中待确认的部门或事项名称"),
            ));
        }
    }
    Ok(out)
}

fn print_preview(preview: &PlanPreview, json: bool) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&preview.to_json()).expect("json")
        );
        return;
    }
    println!(
        "读取到 {} 项任务（{}，完成时限 {}）",
        preview.tasks.len(),
        preview.kind.label(),
        preview.completion_date
    );
    for t in &preview.tasks {
        let r = &t.row;
        let dept = |d: &ssj_app::plans::import::MatchedDepartment| {
            let name = d
                .department
                .as_ref()
                .map(|c| c.name.clone())
                .unwrap_or_else(|| format!("{}（未对应）", d.written));
            let items: Vec<&str> = d.items.iter().map(|i| i.written.as_str()).collect();
            format!("{name}：{}", items.join("、"))
        };
        println!("{}. {}（序号 {}）", t.number, r.name, r.seq);
        println!("   发起部门  {}", dept(&t.initiating));
        for c in &t.cooperating {
            println!("   配合部门  {}", dept(c));
        }
        println!("   抽查比例  {}", t.rule_text);
        println!("   分级      {}", t.tier_text);
        match &r.window {
            Some(w) => println!("   起止时间  {} 至 {}", w.from, w.to),
            None => println!("   起止时间  未能识别"),
        }
        for f in r.flags.iter().chain(&r.rule.flags) {
            println!("   提示：{f}");
        }
    }
    for u in preview.departments.iter().chain(&preview.items) {
        let suggestions: Vec<String> = u
            .suggestions
            .iter()
            .map(|s| format!("{}（{}）", s.name, s.id))
            .collect();
        println!(
            "待确认：“{}”（{}）{}",
            u.written,
            u.context,
            if suggestions.is_empty() {
                String::new()
            } else {
                format!("，可能是 {}", suggestions.join("、"))
            }
        );
    }
    for e in &preview.errors {
        eprintln!("错误：{e}");
    }
}

pub async fn plan(p: &Platform, c: PlanCommand) -> AppResult<ExitCode> {
    let actor = Actor::command_line();
    match c {
        PlanCommand::Import(a) => {
            let a = *a;
            let json = match a.format.as_str() {
                "json" => true,
                "text" => false,
                other => {
                    return Err(bad(
                        "FORMAT_UNKNOWN",
                        format!("不支持的格式：{other}（可选 text、json）"),
                    ));
                }
            };
            let text = read_file(&a.file)?;
            let (found_title, found_year) = title_and_year(&text);
            let year = a
                .year
                .or(found_year)
                .unwrap_or_else(|| clock::today()[..4].parse().unwrap_or(2026));
            let department_id = match &a.department {
                Some(d) => {
                    let all = p.departments().await?;
                    Some(
                        all.iter()
                            .find(|x| x.id.to_string() == d.trim() || x.name == d.trim())
                            .ok_or_else(|| bad("DEPARTMENT_NOT_FOUND", format!("找不到部门：{d}")))?
                            .id,
                    )
                }
                None => None,
            };
            let first = p
                .preview_plan(&actor, &text, year, department_id, &Mappings::new())
                .await?;
            let chosen = mappings(p, &actor, &first, &a.map).await?;
            let preview = p
                .preview_plan(&actor, &text, year, department_id, &chosen)
                .await?;
            if a.dry_run || !preview.ready() {
                print_preview(&preview, json);
                return Ok(if preview.ready() {
                    ExitCode::SUCCESS
                } else {
                    if !json {
                        eprintln!(
                            "计划表还有 {} 处需要处理，未创建任何内容（可用 --map 表中写法=部门 确认名称）",
                            preview.errors.len()
                        );
                    }
                    ExitCode::from(1)
                });
            }
            let title = a.title.or(found_title).ok_or_else(|| {
                bad(
                    "PLAN_TITLE",
                    "文件中没有计划标题：请用 --title 给出计划名称",
                )
            })?;
            let new = NewPlan {
                title,
                year,
                department_id,
                division: a.division,
                completion_date: a.completion,
                kind: None,
            };
            let (plan, preview) = p.import_plan(&actor, &text, new, &chosen).await?;
            if json {
                print_preview(&preview, true);
            }
            println!(
                "已导入计划 {}（{}）：{} 项任务，状态为草稿；确认无误后用 plan publish {} 发布",
                plan.code,
                plan.title,
                preview.tasks.len(),
                plan.code
            );
        }
        PlanCommand::Reimport { plan, file, map } => {
            let text = read_file(&file)?;
            let view = p.plan(&actor, &plan).await?;
            let first = p
                .preview_plan(
                    &actor,
                    &text,
                    view.plan.year as u32,
                    view.plan.department_id,
                    &Mappings::new(),
                )
                .await?;
            let chosen = mappings(p, &actor, &first, &map).await?;
            let preview = p
                .preview_plan(
                    &actor,
                    &text,
                    view.plan.year as u32,
                    view.plan.department_id,
                    &chosen,
                )
                .await?;
            if !preview.ready() {
                print_preview(&preview, false);
                return Ok(ExitCode::from(1));
            }
            let preview = p
                .reimport_plan(&actor, view.plan.id, &text, &chosen)
                .await?;
            println!(
                "已更新计划 {} 第 {} 版：{} 项任务",
                view.plan.code,
                view.plan.version,
                preview.tasks.len()
            );
        }
        PlanCommand::List => {
            for (plan, owner) in p.plans(&actor).await? {
                println!(
                    "{}\t{}\t{}\t{}\t第 {} 版\t{}",
                    plan.code,
                    plan.status.label(),
                    plan.kind.label(),
                    owner,
                    plan.version,
                    plan.title
                );
            }
        }
        PlanCommand::Show { plan } => show(&p.plan(&actor, &plan).await?),
        PlanCommand::Publish { plan } => step(p, &actor, &plan, PlanStep::Publish, "").await?,
        PlanCommand::Revise { plan, reason } => {
            step(p, &actor, &plan, PlanStep::Revise, &reason).await?
        }
        PlanCommand::Complete { plan } => step(p, &actor, &plan, PlanStep::Complete, "").await?,
        PlanCommand::Archive { plan } => step(p, &actor, &plan, PlanStep::Archive, "").await?,
    }
    Ok(ExitCode::SUCCESS)
}

async fn step(
    p: &Platform,
    actor: &Actor,
    plan: &str,
    step: PlanStep,
    reason: &str,
) -> AppResult<()> {
    let view = p.plan(actor, plan).await?;
    let plan = p.plan_step(actor, view.plan.id, step, reason).await?;
    println!(
        "计划 {} 已{}：当前为“{}”，第 {} 版",
        plan.code,
        step.label(),
        plan.status.label(),
        plan.version
    );
    Ok(())
}

fn show(view: &PlanView) {
    let plan = &view.plan;
    println!("{}  {}", plan.code, plan.title);
    println!(
        "{}，{}，{}，完成时限 {}",
        view.owner,
        plan.kind.label(),
        plan.status.label(),
        plan.completion_date
    );
    for v in &view.versions {
        println!(
            "\n第 {} 版（{}）{}",
            v.version,
            v.published
                .as_ref()
                .map(|t| format!("发布于 {t}"))
                .unwrap_or_else(|| "未发布".into()),
            if v.note.is_empty() {
                String::new()
            } else {
                format!("：{}", v.note)
            }
        );
        for c in &v.changes {
            println!("  变更：{}", c.text());
        }
        for t in &v.tasks {
            let runs: Vec<String> = view
                .links
                .iter()
                .filter(|l| l.seq == i64::from(t.seq))
                .map(|l| l.task_id.to_string())
                .collect();
            println!(
                "  {}. {}  {}  {} 至 {}{}",
                t.seq,
                t.name,
                ssj_domain::plans::rule_text(t.rule.as_ref()),
                t.window.from,
                t.window.to,
                if runs.is_empty() {
                    String::new()
                } else {
                    format!("  抽查任务 {}", runs.join("、"))
                }
            );
        }
    }
}
