//! What each subcommand does. Errors come back as [`AppError`] and are printed in Chinese
//! with their code; the exit code is non-zero whenever the command did not do what was asked.

use crate::{
    AuditCommand, Cli, Command, DepartmentCommand, DivisionCommand, ExportWhat, GenerateWhat,
    ImportWhat, ItemsCommand, ServeArgs, UserCommand,
};
use ssj_app::accounts::NewAccount;
use ssj_app::imports::{ImportMode, ImportSummary};
use ssj_app::{Actor, AppError, AppResult, OpenOptions, Platform, keys};
use ssj_import::export::TableFormat;
use ssj_merkle::HashAlg;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

async fn open(cli: &Cli) -> AppResult<Platform> {
    let hash_alg = match cli.audit_hash.as_deref() {
        None => None,
        Some(name) => Some(HashAlg::parse(name).ok_or_else(|| {
            AppError::invalid(
                "HASH_ALG_UNKNOWN",
                format!("不支持的哈希算法：{name}（可选 sha256、sm3）"),
            )
        })?),
    };
    Platform::open(&OpenOptions {
        database: cli.database.clone(),
        data_dir: cli
            .data_dir
            .clone()
            .unwrap_or_else(|| keys::default_data_dir(&cli.database)),
        hash_alg,
        witness_dir: cli.audit_witness.clone(),
    })
    .await
}

pub async fn run(cli: Cli) -> AppResult<ExitCode> {
    // Generating a file touches no database (nor creates one where the command was run).
    if let Command::Generate { what } = cli.command {
        return generate(what);
    }
    // Verifying a folder needs nothing but the folder.
    if let Command::Verify { dir } = &cli.command {
        return crate::draw_commands::verify(dir);
    }
    let p = Arc::new(open(&cli).await?);
    let size_at_start = p.audit_size().await?;
    let outcome = dispatch(cli, Arc::clone(&p)).await;
    // A command that changed state leaves it signed: records after the last checkpoint are not
    // protected, and the server may not start again soon.
    let signed = match p.audit_size().await {
        Ok(size) if size > size_at_start => p.checkpoint().await.map(drop),
        Ok(_) => Ok(()),
        Err(e) => Err(e),
    };
    p.close().await;
    let code = outcome?;
    signed?;
    Ok(code)
}

async fn dispatch(cli: Cli, p: Arc<Platform>) -> AppResult<ExitCode> {
    match cli.command {
        Command::Serve(args) => serve(p, &args).await,
        Command::Demo {
            serve: args,
            no_serve,
        } => {
            if p.departments().await?.is_empty() {
                let logins = ssj_app::demo::load(&p).await?;
                p.checkpoint().await?;
                println!(
                    "已创建演示数据：山西省晋城市高平市，{} 个部门。登录账号：",
                    ssj_app::demo::DEMO_DEPARTMENTS.len()
                );
                for l in &logins {
                    println!(
                        "  用户名 {:<12} 密码 {}  {}·{}",
                        l.username, l.password, l.department, l.role
                    );
                }
                println!("首位管理员：用户名 admin  密码 {}", logins[0].password);
            } else {
                println!(
                    "数据库 {} 已有数据，直接启动。忘记密码可运行 `shuangsuiji user passwd admin` 重设；如需全新的演示数据，请换一个 --database 路径。",
                    cli.database
                );
            }
            if no_serve {
                Ok(ExitCode::SUCCESS)
            } else {
                serve(p, &args).await
            }
        }
        Command::Migrate => {
            println!("数据库结构已是最新（{}）。", p.health().await?.0);
            Ok(ExitCode::SUCCESS)
        }
        Command::User(c) => user(&p, c).await,
        Command::Division(c) => division(&p, c).await,
        Command::Department(c) => department(&p, c).await,
        Command::Audit(c) => {
            let data_dir = cli
                .data_dir
                .clone()
                .unwrap_or_else(|| keys::default_data_dir(&cli.database));
            audit(&p, c, &data_dir).await
        }
        Command::Import { what } => import(&p, what).await,
        Command::Export { what } => export(&p, what).await,
        Command::Items(c) => items(&p, c).await,
        Command::Plan(c) => crate::plan_commands::plan(&p, c).await,
        Command::Task(c) => crate::draw_commands::task(&p, c).await,
        Command::Draw(c) => crate::draw_commands::draw(&p, c).await,
        Command::Verify { dir } => crate::draw_commands::verify(&dir),
        Command::Generate { what } => generate(what),
    }
}

async fn serve(p: Arc<Platform>, args: &ServeArgs) -> AppResult<ExitCode> {
    let config = ssj_web::WebConfig {
        max_body_bytes: args.max_body_bytes,
        secure_cookies: args.secure_cookies,
        client_ip_header: args.client_ip_header.clone(),
        checkpoint_every: Duration::from_secs(args.checkpoint_every.max(1)),
        header_read_timeout: Duration::from_secs(args.header_read_timeout.max(1)),
        request_timeout: Duration::from_secs(args.request_timeout.max(1)),
    };
    let state = ssj_web::AppState::new(p, config);
    ssj_web::serve(state, args.listen)
        .await
        .map_err(|e| AppError::internal(format!("无法在 {} 上提供服务：{e}", args.listen)))?;
    Ok(ExitCode::SUCCESS)
}

fn password_or_generated(given: Option<String>) -> (String, bool) {
    match given {
        Some(p) => (p, false),
        None => (format!("Ssj{}", keys::random_hex(8)), true),
    }
}

async fn user(p: &Platform, c: UserCommand) -> AppResult<ExitCode> {
    let cli = Actor::command_line();
    match c {
        UserCommand::Add {
            username,
            name,
            department,
            role,
            scope,
            password,
        } => {
            let departments = p.departments().await?;
            let dept = departments
                .iter()
                .find(|d| d.id.to_string() == department || d.name == department)
                .ok_or_else(|| {
                    AppError::invalid(
                        "DEPARTMENT_NOT_FOUND",
                        format!("找不到部门：{department}（可用 department list 查看）"),
                    )
                })?;
            let (password, generated) = password_or_generated(password);
            let u = p
                .create_user(
                    &cli,
                    NewAccount {
                        username,
                        display_name: name,
                        department_id: dept.id,
                        role,
                        scope,
                        password: password.clone(),
                        // The operator hands it over: the holder chooses their own.
                        must_change_password: true,
                    },
                )
                .await?;
            println!(
                "已创建账号 {}（{}，{}）",
                u.username,
                u.role.label(),
                dept.name
            );
            if generated {
                println!("初始密码：{password}");
            }
        }
        UserCommand::Passwd { username, password } => {
            let u = p.user_by_name(&Actor::command_line(), &username).await?;
            let (password, generated) = password_or_generated(password);
            // A typed password is the operator's own choice (a locked 系统管理员 letting
            // themselves in); a generated one is handed over and changed at the next login.
            p.reset_password(&cli, u.id, &password, generated).await?;
            println!("已设置账号 {} 的密码，并解除锁定。", u.username);
            if generated {
                println!("新密码：{password}");
            }
        }
        UserCommand::List { format } => {
            let departments = p.departments().await?;
            let name = |id: i64| {
                departments
                    .iter()
                    .find(|d| d.id == id)
                    .map(|d| d.name.clone())
                    .unwrap_or_default()
            };
            let csv = match format.as_str() {
                "csv" => true,
                "table" => false,
                other => {
                    return Err(AppError::invalid(
                        "FORMAT_UNKNOWN",
                        format!("不支持的格式：{other}（可选 table、csv）"),
                    ));
                }
            };
            if csv {
                println!("id,username,display_name,department,role,scope,active");
            }
            for u in p.users_visible_to(&Actor::command_line()).await? {
                if csv {
                    println!(
                        "{},{},{},{},{},{},{}",
                        u.id,
                        u.username,
                        u.display_name,
                        name(u.department_id),
                        u.role.key(),
                        u.scope.key(),
                        u.active
                    );
                } else {
                    println!(
                        "{:>4}  {:<16} {:<8} {:<10} {:<24} {}",
                        u.id,
                        u.username,
                        u.display_name,
                        u.role.label(),
                        name(u.department_id),
                        if u.active { "" } else { "已停用" }
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn division(p: &Platform, c: DivisionCommand) -> AppResult<ExitCode> {
    match c {
        DivisionCommand::Import { file } => {
            let bytes = std::fs::read(&file).map_err(|e| {
                AppError::invalid(
                    "FILE_UNREADABLE",
                    format!("无法读取 {}：{e}", file.display()),
                )
            })?;
            let text = String::from_utf8(bytes)
                .map_err(|_| AppError::invalid("ENCODING", "文件不是 UTF-8 编码"))?;
            let n = p.import_divisions(&Actor::command_line(), &text).await?;
            println!("已导入 {n} 个行政区划。");
        }
        DivisionCommand::List => {
            for d in p.divisions().await? {
                println!("{}  {:<6} {}", d.code, d.code.level().label(), d.name);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn department(p: &Platform, c: DepartmentCommand) -> AppResult<ExitCode> {
    match c {
        DepartmentCommand::Add { name, division } => {
            let d = p
                .create_department(&Actor::command_line(), &name, &division)
                .await?;
            println!(
                "已新增部门 {}（编号 {}，区划 {}）",
                d.name, d.id, d.division
            );
        }
        DepartmentCommand::List => {
            for d in p.departments().await? {
                println!(
                    "{:>4}  {}  {}{}",
                    d.id,
                    d.division,
                    d.name,
                    if d.active { "" } else { "（已撤销）" }
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn audit(p: &Platform, c: AuditCommand, data_dir: &Path) -> AppResult<ExitCode> {
    match c {
        AuditCommand::Verify => {
            let started = std::time::Instant::now();
            let r = p.verify().await?;
            match r.problem {
                None => {
                    println!(
                        "审计日志完整：{} 条记录，{} 个检查点均一致（{}，用时 {:.2} 秒）。根哈希 {}",
                        r.records,
                        r.checkpoints_checked,
                        p.alg.name(),
                        started.elapsed().as_secs_f64(),
                        ssj_merkle::to_hex(&r.root)
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Some(problem) => {
                    eprintln!("审计日志校验未通过：{problem}");
                    Ok(ExitCode::from(2))
                }
            }
        }
        AuditCommand::Checkpoint => {
            match p.checkpoint().await? {
                Some(c) => println!(
                    "已签发检查点：{} 条记录，根哈希 {}",
                    c.tree_size,
                    ssj_merkle::to_hex(&c.root)
                ),
                None => println!("自上一个检查点以来没有新记录，无需签发。"),
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Prove { seq, size } => {
            let proof = p.inclusion_proof(seq, size).await?;
            println!(
                "{}",
                serde_json::to_string_pretty(&proof)
                    .map_err(|e| AppError::internal(e.to_string()))?
            );
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Consistency { from, to } => {
            let proof = p.consistency_proof(from, to).await?;
            println!(
                "{}",
                serde_json::to_string_pretty(&proof)
                    .map_err(|e| AppError::internal(e.to_string()))?
            );
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Publish { dir } => {
            let files = p.public_audit_files().await?;
            std::fs::create_dir_all(&dir)
                .map_err(|e| AppError::internal(format!("无法创建目录 {}：{e}", dir.display())))?;
            for (name, bytes) in &files {
                let path = dir.join(name);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| {
                        AppError::internal(format!("无法创建目录 {}：{e}", parent.display()))
                    })?;
                }
                std::fs::write(&path, bytes)
                    .map_err(|e| AppError::internal(format!("无法写入 {}：{e}", path.display())))?;
            }
            println!(
                "已写出公开的审计数据：{} 个文件，位于 {}",
                files.len(),
                dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::RotateKey { reason } => {
            if reason.trim().is_empty() {
                return Err(AppError::invalid(
                    "REASON_REQUIRED",
                    "请用 --reason 说明轮换原因",
                ));
            }
            let (old, new) = p.rotate_key(data_dir, &reason).await?;
            println!(
                "已轮换审计签名密钥：原密钥 {} 签发了最后一个检查点（{} 条记录），新密钥 {} 已签发同一棵树。原密钥文件保留在 {}。请公布新公钥。",
                hex::encode(&old.public_key),
                old.tree_size,
                hex::encode(&new.public_key),
                data_dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Files larger than this are refused before reading (SHUANGSUIJI_MAX_IMPORT_BYTES raises it):
/// a directory of 1,000,000 objects is about 120 MB as CSV.
const DEFAULT_MAX_IMPORT_BYTES: u64 = 160 * 1024 * 1024;

fn read_file(path: &std::path::Path) -> AppResult<Vec<u8>> {
    let unreadable = |e: std::io::Error| {
        AppError::invalid(
            "FILE_UNREADABLE",
            format!("无法读取 {}：{e}", path.display()),
        )
    };
    let limit = std::env::var("SHUANGSUIJI_MAX_IMPORT_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_MAX_IMPORT_BYTES);
    let size = std::fs::metadata(path).map_err(unreadable)?.len();
    if size > limit {
        return Err(AppError::invalid(
            "FILE_TOO_LARGE",
            format!(
                "文件过大（{:.1} MB），超过导入上限 {:.0} MB：请分批导入，或设置 SHUANGSUIJI_MAX_IMPORT_BYTES 提高上限",
                size as f64 / 1048576.0,
                limit as f64 / 1048576.0
            ),
        ));
    }
    std::fs::read(path).map_err(unreadable)
}

fn print_summary(s: &ImportSummary, dry_run: bool, what: &str) {
    let verb = if dry_run {
        "预览（未写入）"
    } else {
        "已导入"
    };
    println!(
        "{verb}{what}：新增 {} 项，变更 {} 项，未变 {} 项，拒绝 {} 行",
        s.new,
        s.changed,
        s.unchanged,
        s.rejected()
    );
    for r in &s.rejects {
        println!("  第 {} 行 [{}]：{}", r.row, r.column, r.reason);
    }
    if s.outside > 0 {
        println!(
            "行政区划不在本地：{} 个对象（如 {}）。已照常导入，抽取时默认不纳入，任务选择“包括行政区划不在本地的对象”时才纳入",
            s.outside,
            s.outside_examples.join("；")
        );
    }
    let folded = s.folds.len() + s.folds_not_listed;
    if folded > 0 {
        println!("按标准写法录入 {folded} 处（原文件不变）：");
        for f in s.folds.iter().take(20) {
            println!(
                "  第 {} 行 [{}]：{} → {}（{}）",
                f.row, f.column, f.before, f.after, f.reason
            );
        }
        if folded > 20 {
            println!("  …… 另有 {} 处", folded - 20);
        }
    }
}

fn items_label(s: &ImportSummary) -> &'static str {
    if s.joint {
        "部门联合抽查事项"
    } else {
        "随机抽查事项"
    }
}

/// A dry run exits 0 only when every row would be taken (3 when some are rejected).
fn preview_exit(s: &ImportSummary) -> ExitCode {
    if s.rejects.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    }
}

fn mode(accept_valid: bool) -> ImportMode {
    if accept_valid {
        ImportMode::GoodRows
    } else {
        ImportMode::AllOrNothing
    }
}

async fn import(p: &Platform, what: ImportWhat) -> AppResult<ExitCode> {
    let cli = Actor::command_line();
    match what {
        ImportWhat::Items {
            file,
            dry_run,
            accept_valid,
        } => {
            let bytes = read_file(&file)?;
            if dry_run {
                let s = p.preview_items(&cli, &bytes).await?;
                print_summary(&s, true, items_label(&s));
                return Ok(preview_exit(&s));
            }
            let s = p.import_items(&cli, &bytes, mode(accept_valid)).await?;
            print_summary(&s, false, items_label(&s));
            println!("已写入草稿；确认无误后运行 `shuangsuiji items publish` 发布。");
        }
        ImportWhat::Objects {
            file,
            dry_run,
            accept_valid,
            accept_flagged,
        } => {
            let bytes = read_file(&file)?;
            if dry_run {
                let s = p.preview_objects(&bytes, accept_flagged).await?;
                print_summary(&s, true, "检查对象");
                return Ok(preview_exit(&s));
            }
            // A progress line on a terminal (indicatif draws nothing when stderr is not one).
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} 已处理 {pos} 行 {per_sec} 已用 {elapsed}",
                )
                .expect("template"),
            );
            let s = p
                .import_objects_with_progress(
                    &cli,
                    bytes,
                    mode(accept_valid),
                    accept_flagged,
                    |n| bar.set_position(n as u64),
                )
                .await;
            bar.finish_and_clear();
            let s = s?;
            print_summary(&s, false, "检查对象");
        }
        ImportWhat::Officers {
            file,
            dry_run,
            accept_valid,
        } => {
            let bytes = read_file(&file)?;
            if dry_run {
                let s = p.preview_officers(&cli, &bytes).await?;
                print_summary(&s, true, "执法检查人员");
                return Ok(preview_exit(&s));
            }
            let s = p.import_officers(&cli, &bytes, mode(accept_valid)).await?;
            print_summary(&s, false, "执法检查人员");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn write_out(bytes: &[u8], out: Option<PathBuf>) -> AppResult<()> {
    match out {
        Some(path) => {
            std::fs::write(&path, bytes).map_err(|e| {
                AppError::invalid(
                    "FILE_UNWRITABLE",
                    format!("无法写入 {}：{e}", path.display()),
                )
            })?;
            println!("已导出到 {}", path.display());
        }
        None => {
            use std::io::Write;
            std::io::stdout()
                .write_all(bytes)
                .map_err(|e| AppError::internal(e.to_string()))?;
        }
    }
    Ok(())
}

fn table_format(format: &str) -> AppResult<TableFormat> {
    TableFormat::parse(format).ok_or_else(|| {
        AppError::invalid(
            "FORMAT_UNKNOWN",
            format!("不支持的格式：{format}（可选 csv、xlsx）"),
        )
    })
}

async fn export(p: &Platform, what: ExportWhat) -> AppResult<ExitCode> {
    match what {
        ExportWhat::Items {
            format,
            out,
            joint,
            version,
        } => {
            write_out(
                &p.export_items(version, joint, table_format(&format)?)
                    .await?,
                out,
            )?;
        }
        ExportWhat::Objects {
            format,
            out,
            tier,
            division,
        } => {
            let filter = ssj_storage::ObjectFilter {
                tier: tier
                    .as_deref()
                    .map(ssj_domain::objects::Tier::parse)
                    .transpose()?,
                division,
                ..Default::default()
            };
            write_out(
                &p.export_objects(&filter, table_format(&format)?).await?,
                out,
            )?;
        }
        ExportWhat::Officers {
            format,
            out,
            publication,
        } => {
            let bytes = p
                .export_officers(&Actor::command_line(), publication, table_format(&format)?)
                .await?;
            write_out(&bytes, out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn items(p: &Platform, c: ItemsCommand) -> AppResult<ExitCode> {
    match c {
        ItemsCommand::Publish { note } => {
            let v = p.publish_items(&Actor::command_line(), &note).await?;
            println!("已发布事项清单第 {} 版。", v.id);
        }
        ItemsCommand::Versions => {
            for v in p.item_versions().await? {
                let items = p.version_items(Some(&Actor::command_line()), v.id).await?;
                let live = items.iter().filter(|i| !i.retired).count();
                let state = match v.published_ms {
                    Some(ms) => format!("已发布 {}", ssj_app::clock::format_ms(ms)),
                    None => "草稿".to_string(),
                };
                println!(
                    "第 {} 版  {state}  {live} 项在用（共 {} 项）  {}",
                    v.id,
                    items.len(),
                    v.note
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn generate(what: GenerateWhat) -> AppResult<ExitCode> {
    match what {
        GenerateWhat::Objects {
            count,
            out,
            division,
            counties,
            seed,
        } => {
            let divisions = match counties {
                Some(n @ 1..=99) => ssj_app::generate::counties("14", n),
                Some(_) => {
                    return Err(AppError::invalid(
                        "COUNTIES_RANGE",
                        "--counties 应在 1 到 99 之间",
                    ));
                }
                None => vec![ssj_domain::DivisionCode::parse(&division)?.to_string()],
            };
            let file = std::fs::File::create(&out).map_err(|e| {
                AppError::invalid(
                    "FILE_UNWRITABLE",
                    format!("无法写入 {}：{e}", out.display()),
                )
            })?;
            let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
            ssj_app::generate::write_objects_csv(&mut w, count, &divisions, seed)
                .and_then(|_| std::io::Write::flush(&mut w))
                .map_err(|e| AppError::internal(format!("写入失败：{e}")))?;
            println!("已生成 {count} 个检查对象：{}", out.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}
