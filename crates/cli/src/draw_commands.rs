//! `task …`, `draw …` and `verify`: inspection tasks and their SSJ-DRAW/1 draws.

use clap::{Args, Subcommand};
use ssj_app::draws::after::Change;
use ssj_app::draws::{Contributor, NewContribution};
use ssj_app::tasks::{NewTask, ObjectScope, Partner};
use ssj_app::{Actor, AppError, AppResult, Platform, clock};
use ssj_storage::{Department, Draw, DrawStatus, Task};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum TaskCommand {
    /// 列出抽查任务（第一列为任务 id）
    List {
        /// 输出格式：table 或 csv（默认 table）
        #[arg(long, default_value = "table", value_name = "格式")]
        format: String,
    },
    /// 新建抽查任务（建成即可抽取）
    Create(Box<CreateTask>),
    /// 取消抽查任务；已有的抽取记录仍可查看
    Cancel {
        /// 任务编号或 id
        #[arg(value_name = "任务")]
        task: String,
        /// 取消理由
        #[arg(long, value_name = "理由")]
        reason: String,
    },
}

#[derive(Args)]
pub struct CreateTask {
    /// 任务名称
    #[arg(long, value_name = "名称")]
    name: String,
    /// 发起部门：部门编号或完整名称
    #[arg(long, value_name = "部门")]
    department: String,
    /// 抽查事项：已发布清单中的事项编号（逗号分隔）；“all”为发起部门的全部事项；“清单:省市场监管局”为清单列给该部门的全部事项
    #[arg(long, value_name = "事项")]
    items: String,
    /// 配合部门及其事项：“部门:all”或“部门:12,13”；可重复
    #[arg(long, value_name = "部门:事项")]
    partner: Vec<String>,
    /// 检查对象类型（企业、个体工商户 …），逗号分隔（默认全部类型）
    #[arg(long, default_value = "", value_name = "类型")]
    kinds: String,
    /// 定向抽查：只在 --divisions、--industries、--tags、--tiers、--licence 所限的范围内抽取（不加则为不定向，抽取所选类型的全部名录）
    #[arg(long)]
    directed: bool,
    /// 定向条件：行政区划代码，逗号分隔，各含其全部下级
    #[arg(long, default_value = "", value_name = "区划代码")]
    divisions: String,
    /// 定向条件：行业代码，逗号分隔，各含其下级行业
    #[arg(long, default_value = "", value_name = "行业代码")]
    industries: String,
    /// 定向条件：标签（专项库），逗号分隔，带其中任一标签即可
    #[arg(long, default_value = "", value_name = "标签")]
    tags: String,
    /// 定向条件：信用风险等级（A、B、C、D、U），逗号分隔
    #[arg(long, default_value = "", value_name = "等级")]
    tiers: String,
    /// 定向条件：许可证名称包含此文字
    #[arg(long, default_value = "", value_name = "文字")]
    licence: String,
    /// 也抽取在发起部门所在区划之外登记的对象（默认只抽取该区划及其下级登记的对象）
    #[arg(long)]
    include_outside: bool,
    /// 按信用风险等级设定的抽查比例，如“D=30%”（也可写 0.5%、5‰ 或 1/30）；可重复（默认 A 1%、B 3%、C 10%、D 20%、U 3%）
    #[arg(long, value_name = "等级=比例")]
    ratio: Vec<String>,
    /// 所有等级统一使用的比例（须同时给出 --uniform-reason）
    #[arg(long, value_name = "比例")]
    uniform: Option<String>,
    /// 采用统一比例的理由
    #[arg(long, default_value = "", value_name = "理由")]
    uniform_reason: String,
    /// 无事不扰：不抽取 A 类对象
    #[arg(long)]
    no_disturb_a: bool,
    /// 检查时间的第一天（YYYY-MM-DD）
    #[arg(long, value_name = "日期")]
    from: String,
    /// 检查时间的最后一天（YYYY-MM-DD）
    #[arg(long, value_name = "日期")]
    to: String,
    /// 每个检查组的人数，至少 2 人（默认 2）
    #[arg(long, default_value_t = 2, value_name = "人数")]
    team_size: usize,
    /// 部门须派出的执法人员人数，如“部门=2”；可重复（默认每个部门 1 人）
    #[arg(long, value_name = "部门=人数")]
    quota: Vec<String>,
    /// 本年度已被抽中达到此次数的对象不再抽取（0 为不限；默认 0）
    #[arg(long, default_value_t = 0, value_name = "次数")]
    annual_cap: u32,
    /// 只抽取检查对象（市抽县查：检查人员由承办检查的部门另行抽取）
    #[arg(long)]
    objects_only: bool,
    /// 在公开导出中附带 conflicts.csv（执法人员申报的利害关系，属个人信息）；默认只有审计用的导出包含此文件
    #[arg(long)]
    publish_conflicts: bool,
    /// 执行已发布计划中的任务：“计划编号:序号”（不加则作为单任务计划）
    #[arg(long, value_name = "计划编号:序号")]
    plan: Option<String>,
}

#[derive(Subcommand)]
pub enum DrawCommand {
    /// 一次完成整个抽取流程，中途不停：冻结候选名单、提交承诺、揭示随机数、生成结果
    Run {
        /// 任务编号或 id
        #[arg(value_name = "任务")]
        task: String,
        /// 操作员提供的随机数“姓名=随机数”；可重复，一个也未给出时自动生成一个
        #[arg(long, value_name = "姓名=随机数")]
        operator: Vec<String>,
        /// 见证人（纪检、公证）提供的随机数“姓名=随机数”；可重复
        #[arg(long, value_name = "姓名=随机数")]
        witness: Vec<String>,
        /// 重新抽取（仅限系统管理员）：书面理由，随每次抽取一并公开
        #[arg(long, value_name = "理由")]
        redraw_reason: Option<String>,
    },
    /// 显示任务的各次抽取和当前结果
    Show {
        /// 任务编号或 id
        #[arg(value_name = "任务")]
        task: String,
    },
    /// 写出任务当前抽取的公开导出目录（规范第 5 节），不含属于个人信息的 conflicts.csv；加 --full 则包含，供审计使用
    Export {
        /// 任务编号或 id
        #[arg(value_name = "任务")]
        task: String,
        /// 要写入的目录
        #[arg(value_name = "目录")]
        dir: PathBuf,
        /// 审计用完整导出，包含 conflicts.csv
        #[arg(long)]
        full: bool,
    },
    /// 检查名单：当前实际执行的抽中名单（已含全部递补），含名称、地址、事项、检查组（部门、执法证号）、组长和检查时间，导出为 xlsx 或 CSV
    List {
        /// 任务编号或 id
        #[arg(value_name = "任务")]
        task: String,
        /// 文件格式：xlsx 或 csv（默认 xlsx）
        #[arg(long, default_value = "xlsx", value_name = "格式")]
        format: String,
        /// 要写出的文件（默认为当前目录下的 任务编号-检查名单.xlsx，csv 格式时为 .csv）
        #[arg(long, value_name = "文件")]
        output: Option<PathBuf>,
    },
    /// 抽取后递补：--object、--officer、--conflict 三者选一（执法人员可用执法证号、姓名或人员编号指明）
    Substitute {
        /// 任务编号或 id
        #[arg(value_name = "任务")]
        task: String,
        /// 该检查对象不适用（注销、迁出、无此经营活动等），由下一个备选对象递补
        #[arg(long, value_name = "对象代码")]
        object: Option<String>,
        /// 该执法人员不能检查该对象（回避、无法到岗等），另行递补人员
        #[arg(long, value_name = "对象代码:执法证号")]
        officer: Option<String>,
        /// 抽取后申报的利害关系；该人员在该对象的检查组中时随即递补人员
        #[arg(long, value_name = "执法证号:对象代码")]
        conflict: Option<String>,
        /// 递补理由
        #[arg(long, value_name = "理由")]
        reason: String,
    },
}

fn bad(code: &'static str, message: impl Into<String>) -> AppError {
    AppError::invalid(code, message)
}

fn list(text: &str) -> Vec<String> {
    text.split([',', '，'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

fn find_department<'a>(all: &'a [Department], text: &str) -> AppResult<&'a Department> {
    all.iter()
        .find(|d| d.id.to_string() == text.trim() || d.name == text.trim())
        .ok_or_else(|| {
            bad(
                "DEPARTMENT_NOT_FOUND",
                format!("找不到部门：{text}（可用 department list 查看）"),
            )
        })
}

/// `12,13`, `all` (the department's own items) or `清单:省市场监管局` (every item the list gives
/// to that department, when a county works from a provincial list).
async fn item_ids(p: &Platform, department: &Department, text: &str) -> AppResult<Vec<i64>> {
    let list_department = text
        .trim()
        .strip_prefix("清单:")
        .or_else(|| text.trim().strip_prefix("list:"));
    if text.trim() == "all" || list_department.is_some() {
        let wanted = list_department.map(str::trim).unwrap_or(&department.name);
        let version = p
            .published_items_version()
            .await?
            .ok_or_else(|| bad("TASK_NO_ITEMS", "随机抽查事项清单尚未发布"))?;
        let ids: Vec<i64> = p
            .version_items(Some(&Actor::command_line()), version.id)
            .await?
            .into_iter()
            .filter(|i| i.department == wanted && !i.retired && !i.joint)
            .map(|i| i.id)
            .collect();
        if ids.is_empty() {
            return Err(bad(
                "TASK_ITEMS",
                format!(
                    "已发布的事项清单中没有{wanted}的事项（可用“清单:部门名”指定清单中的部门）"
                ),
            ));
        }
        return Ok(ids);
    }
    list(text)
        .iter()
        .map(|s| {
            s.parse::<i64>()
                .map_err(|_| bad("TASK_ITEMS", format!("事项编号“{s}”不是数字")))
        })
        .collect()
}

fn pair<'a>(text: &'a str, sep: char, what: &str) -> AppResult<(&'a str, &'a str)> {
    text.split_once(sep)
        .map(|(a, b)| (a.trim(), b.trim()))
        .ok_or_else(|| bad("ARGUMENT", format!("“{text}”应为 {what}")))
}

pub async fn task(p: &Platform, c: TaskCommand) -> AppResult<ExitCode> {
    let actor = Actor::command_line();
    match c {
        TaskCommand::List { format } => {
            let departments = p.departments().await?;
            let name = |id: i64| {
                departments
                    .iter()
                    .find(|d| d.id == id)
                    .map(|d| d.name.clone())
                    .unwrap_or_default()
            };
            let tasks = p.tasks().await?;
            match format.as_str() {
                "csv" => {
                    let mut w = csv::Writer::from_writer(std::io::stdout());
                    let csv_err = |e: csv::Error| AppError::internal(format!("无法输出：{e}"));
                    w.write_record(["id", "任务编号", "任务名称", "发起部门", "状态", "创建时间"])
                        .map_err(csv_err)?;
                    for t in &tasks {
                        w.write_record([
                            t.id.to_string(),
                            t.code.clone(),
                            t.name.clone(),
                            name(t.department_id),
                            status(t).into(),
                            clock::format_ms(t.created_ms),
                        ])
                        .map_err(csv_err)?;
                    }
                    w.flush()
                        .map_err(|e| AppError::internal(format!("无法输出：{e}")))?;
                }
                "table" => {
                    for t in &tasks {
                        println!(
                            "{:>4}  {}  {:<6}  {}  {}",
                            t.id,
                            t.code,
                            status(t),
                            name(t.department_id),
                            t.name
                        );
                    }
                }
                other => {
                    return Err(bad(
                        "FORMAT_UNKNOWN",
                        format!("不支持的格式：{other}（可选 table、csv）"),
                    ));
                }
            }
        }
        TaskCommand::Create(a) => {
            let a = *a;
            let departments = p.departments().await?;
            let initiating = find_department(&departments, &a.department)?;
            let mut partners = Vec::new();
            for text in &a.partner {
                let (d, items) = pair(text, ':', "部门:事项编号")?;
                let d = find_department(&departments, d)?;
                partners.push(Partner {
                    department_id: d.id,
                    items: item_ids(p, d, items).await?,
                });
            }
            let mut ratios = BTreeMap::new();
            for text in &a.ratio {
                let (tier, ratio) = pair(text, '=', "等级=比例（如 D=30%）")?;
                ratios.insert(tier.to_uppercase(), ratio.to_string());
            }
            let mut quotas = BTreeMap::new();
            for text in &a.quota {
                let (d, q) = pair(text, '=', "部门=人数")?;
                let q: usize = q
                    .parse()
                    .map_err(|_| bad("TASK_QUOTA", format!("“{q}”不是人数")))?;
                quotas.insert(find_department(&departments, d)?.id, q);
            }
            let new = NewTask {
                name: a.name,
                department_id: initiating.id,
                items: item_ids(p, initiating, &a.items).await?,
                partners,
                objects: ObjectScope {
                    kinds: list(&a.kinds),
                    directed: a.directed,
                    divisions: list(&a.divisions),
                    industries: list(&a.industries),
                    tags: list(&a.tags),
                    tiers: list(&a.tiers),
                    licence: a.licence,
                    include_outside: a.include_outside,
                },
                ratios,
                uniform: a.uniform.map(|u| (u, a.uniform_reason)),
                no_disturb_a: a.no_disturb_a,
                window_from: a.from,
                window_to: a.to,
                team_size: a.team_size,
                quotas,
                annual_cap: a.annual_cap,
                objects_only: a.objects_only,
                publish_conflicts: a.publish_conflicts,
                plan: match &a.plan {
                    Some(text) => {
                        let (code, seq) = pair(text, ':', "计划编号:序号")?;
                        let seq: i64 = seq
                            .parse()
                            .map_err(|_| bad("PLAN_TASK_UNKNOWN", format!("“{seq}”不是序号")))?;
                        let plan = p.plan(&actor, code).await?.plan;
                        Some(ssj_app::plans::adopt::PlanRef {
                            plan_id: plan.id,
                            seq,
                        })
                    }
                    None => None,
                },
            };
            let t = p.create_task(&actor, new).await?;
            println!("已创建抽查任务 {}（编号 {}）：{}", t.id, t.code, t.name);
        }
        TaskCommand::Cancel { task, reason } => {
            let t = p.find_task(&task).await?;
            p.cancel_task(&actor, t.id, &reason).await?;
            println!("已取消抽查任务 {}：{}", t.code, t.name);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn status(t: &Task) -> &'static str {
    match t.status {
        ssj_storage::TaskStatus::Ready => "待抽取",
        ssj_storage::TaskStatus::Drawn => "已抽取",
        ssj_storage::TaskStatus::Cancelled => "已取消",
    }
}

fn contributions(role: Contributor, given: &[String]) -> AppResult<Vec<NewContribution>> {
    given
        .iter()
        .map(|text| {
            let (label, value) = pair(text, '=', "姓名=随机数")?;
            Ok(NewContribution {
                role,
                label: label.into(),
                value: Some(value.into()),
                commitment: None,
            })
        })
        .collect()
}

async fn current(p: &Platform, task: &Task) -> AppResult<Draw> {
    p.current_draw(task.id)
        .await?
        .filter(|d| d.status == DrawStatus::Drawn)
        .ok_or_else(|| {
            AppError::new(
                ssj_app::ErrorKind::Conflict,
                "DRAW_NOT_DRAWN",
                format!("任务 {} 尚未完成抽取", task.code),
            )
        })
}

pub async fn draw(p: &Platform, c: DrawCommand) -> AppResult<ExitCode> {
    let actor = Actor::command_line();
    match c {
        DrawCommand::Run {
            task,
            operator,
            witness,
            redraw_reason,
        } => {
            let t = p.find_task(&task).await?;
            let mut given = contributions(Contributor::Operator, &operator)?;
            given.extend(contributions(Contributor::Witness, &witness)?);
            let d = p
                .run_ceremony(&actor, t.id, given, redraw_reason.as_deref())
                .await?;
            print_draw(p, &t, &d).await?;
        }
        DrawCommand::Show { task } => {
            let t = p.find_task(&task).await?;
            for d in p.draws(t.id).await? {
                print_draw(p, &t, &d).await?;
            }
        }
        DrawCommand::Export { task, dir, full } => {
            let t = p.find_task(&task).await?;
            let d = current(p, &t).await?;
            let files = if full {
                p.export_draw(d.id).await?
            } else {
                p.public_export(d.id).await?
            };
            write_folder(&dir, &files)?;
            println!(
                "已导出任务 {} 第 {} 次抽取的{}到 {}（{} 个文件）",
                t.code,
                d.round,
                if full {
                    "审计用完整文件（含利害关系声明 conflicts.csv，属个人信息）"
                } else {
                    "公开文件"
                },
                dir.display(),
                files.len()
            );
        }
        DrawCommand::List {
            task,
            format,
            output,
        } => {
            let format = ssj_import::export::TableFormat::parse(&format).ok_or_else(|| {
                bad(
                    "CLI_FORMAT",
                    format!("不支持的格式“{format}”：请用 xlsx 或 csv"),
                )
            })?;
            let t = p.find_task(&task).await?;
            let (d, bytes) = p
                .dispatch_file(&Actor::command_line(), t.id, format)
                .await?;
            let path = output.unwrap_or_else(|| {
                PathBuf::from(format!("{}-检查名单.{}", t.code, format.extension()))
            });
            std::fs::write(&path, &bytes)
                .map_err(|e| AppError::internal(format!("无法写入 {}：{e}", path.display())))?;
            println!(
                "已写出任务 {} 的检查名单（{} 户，含递补）到 {}",
                t.code,
                d.rows.len(),
                path.display()
            );
        }
        DrawCommand::Substitute {
            task,
            object,
            officer,
            conflict,
            reason,
        } => {
            let t = p.find_task(&task).await?;
            let d = current(p, &t).await?;
            let change = match (object, officer, conflict) {
                (Some(key), None, None) => Change::Object { key },
                (None, Some(text), None) => {
                    let (key, officer_id) =
                        pair(&text, ':', "检查对象代码:执法证号（或姓名、人员编号）")?;
                    Change::Officer {
                        key: key.into(),
                        officer_id: officer_id.into(),
                    }
                }
                (None, None, Some(text)) => {
                    let (officer_id, key) =
                        pair(&text, ':', "执法证号（或姓名、人员编号）:检查对象代码")?;
                    Change::Conflict {
                        officer_id: officer_id.into(),
                        key: key.into(),
                    }
                }
                _ => {
                    return Err(bad(
                        "ARGUMENT",
                        "请在 --object、--officer、--conflict 中选择一项",
                    ));
                }
            };
            for row in p.change_draw(&actor, d.id, change, &reason).await? {
                println!(
                    "{}：{} → {}（{}）",
                    row.kind, row.replaced, row.replacement, row.reason
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn print_draw(p: &Platform, t: &Task, d: &Draw) -> AppResult<()> {
    let state = match d.status {
        DrawStatus::Frozen => "已冻结，待揭示",
        DrawStatus::Drawn => "已抽取",
        DrawStatus::Void => "已作废",
    };
    println!(
        "任务 {}（{}）第 {} 次抽取：{state}",
        t.code, t.name, d.round
    );
    if !d.reason.is_empty() {
        println!("  理由：{}", d.reason);
    }
    println!("  候选名单摘要 {}", d.candidate_digest);
    let exclusions: Vec<(String, u64)> = serde_json::from_str(&d.exclusions).unwrap_or_default();
    for (why, n) in exclusions {
        println!("  排除 {n} 户：{why}");
    }
    if let Some(manifest) = &d.manifest {
        let m: ssj_draw::Manifest =
            serde_json::from_str(manifest).map_err(|e| AppError::internal(e.to_string()))?;
        println!("  种子 {}", m.seed);
        for s in &m.strata {
            println!(
                "  {} 类：候选 {} 户，比例 {}/{}，抽中 {} 户，备选 {} 户",
                s.label, s.n, s.num, s.den, s.k, s.reserves
            );
        }
        if d.status == DrawStatus::Drawn {
            // The list as it is inspected, after every 递补 (result.csv is the list as drawn).
            let list = p.current_list(d.id, Some(5)).await?;
            println!("  检查名单 {} 户（前 5 户，已含递补）：", list.total);
            for r in &list.rows {
                let team: Vec<String> = r
                    .members
                    .iter()
                    .map(|m| format!("{}（{}）", m.name, m.cert_no))
                    .collect();
                let replaced = r
                    .replaced
                    .as_ref()
                    .map(|x| format!("，递补 {x}"))
                    .unwrap_or_default();
                println!(
                    "    {}. {}（{}，{} 类）{} {}{replaced}",
                    r.rank,
                    r.name,
                    r.key,
                    r.stratum,
                    if team.is_empty() { "" } else { "检查组：" },
                    team.join("、")
                );
            }
            for h in &list.history {
                println!(
                    "  {} {}：{} → {}（{}）",
                    h.at, h.kind_label, h.before, h.after, h.reason
                );
            }
        }
    }
    Ok(())
}

fn write_folder(dir: &Path, files: &BTreeMap<String, Vec<u8>>) -> AppResult<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| AppError::internal(format!("无法创建目录 {}：{e}", dir.display())))?;
    // A file of an earlier export that this one does not have (conflicts.csv of a full
    // export, before a public one) must not stay beside it.
    for stale in ssj_draw::verify::KNOWN_FILES {
        let path = dir.join(stale);
        if !files.contains_key(stale) && path.exists() {
            std::fs::remove_file(&path)
                .map_err(|e| AppError::internal(format!("无法删除 {}：{e}", path.display())))?;
        }
    }
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::write(&path, bytes)
            .map_err(|e| AppError::internal(format!("无法写入 {}：{e}", path.display())))?;
    }
    Ok(())
}

/// `shuangsuiji verify DIR|FILE.zip`: recomputes a draw from its export folder alone, or from
/// the zip the public task page offers. Exit 0 一致, 3 部分核对 (teams not rechecked: no
/// conflicts.csv), 1 不一致.
pub fn verify(path: &Path) -> AppResult<ExitCode> {
    let files = if path.is_dir() {
        read_folder(path)?
    } else {
        let bytes = std::fs::read(path).map_err(|e| {
            AppError::invalid("VERIFY_DIR", format!("无法读取 {}：{e}", path.display()))
        })?;
        ssj_app::draws::zip::unpack(&bytes)?
    };
    match ssj_draw::verify(&files) {
        Ok(v) => {
            println!("{}", v.verdict());
            Ok(ExitCode::from(v.exit_code()))
        }
        Err(e) => {
            eprintln!("不一致（{}）：{e}", e.code());
            Ok(ExitCode::FAILURE)
        }
    }
}

fn read_folder(dir: &Path) -> AppResult<BTreeMap<String, Vec<u8>>> {
    let mut files = BTreeMap::new();
    let entries = std::fs::read_dir(dir).map_err(|e| {
        AppError::invalid("VERIFY_DIR", format!("无法读取目录 {}：{e}", dir.display()))
    })?;
    for entry in entries {
        let entry = entry.map_err(|e| AppError::internal(e.to_string()))?;
        // A symbolic link counts as the file it points to (as docs/verify_draw.py reads it).
        if entry.path().is_file() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let bytes = std::fs::read(entry.path())
                .map_err(|e| AppError::internal(format!("无法读取 {name}：{e}")))?;
            files.insert(name, bytes);
        }
    }
    Ok(files)
}
