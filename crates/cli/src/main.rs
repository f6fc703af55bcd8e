//! `shuangsuiji`: serve the platform, load the demo county, manage accounts, check the audit log.

mod commands;
mod draw_commands;
mod plan_commands;

#[global_allocator]
// Imports hand millions of small strings from the reading thread to the writing one; glibc
// malloc spends a quarter of that time on cross-thread frees, mimalloc almost none.
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::builder::Styles;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "shuangsuiji", version, about = "双随机、一公开监管平台")]
struct Cli {
    /// SQLite 数据库文件路径，或 postgres:// 连接地址（默认 ./shuangsuiji.db；环境变量 SHUANGSUIJI_DATABASE）
    #[arg(
        long,
        global = true,
        env = "SHUANGSUIJI_DATABASE",
        default_value = "./shuangsuiji.db",
        value_name = "数据库"
    )]
    database: String,
    /// 审计签名密钥的存放目录（默认为 SQLite 文件所在目录下的 shuangsuiji-data；使用 postgres:// 时为当前工作目录下的 ./shuangsuiji-data；环境变量 SHUANGSUIJI_DATA_DIR）
    #[arg(long, global = true, env = "SHUANGSUIJI_DATA_DIR", value_name = "目录")]
    data_dir: Option<PathBuf>,
    /// 数据目录之外的见证目录（另一块磁盘、挂载的共享目录），另存每个已签发的审计检查点，数据库被整体改写时也能在此发现（环境变量 SHUANGSUIJI_AUDIT_WITNESS）
    #[arg(
        long,
        global = true,
        env = "SHUANGSUIJI_AUDIT_WITNESS",
        value_name = "目录"
    )]
    audit_witness: Option<PathBuf>,
    /// 新建数据库时审计日志使用的哈希算法：sha256（默认），密评部署可用 sm3；已有数据库的算法不可更改（环境变量 SHUANGSUIJI_AUDIT_HASH）
    #[arg(
        long,
        global = true,
        env = "SHUANGSUIJI_AUDIT_HASH",
        value_name = "算法"
    )]
    audit_hash: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct ServeArgs {
    /// 监听地址；端口为 0 时自动选择空闲端口并打印（默认 127.0.0.1:8080）
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "地址")]
    listen: SocketAddr,
    /// 可接受的请求体大小上限，单位字节（默认 8388608，即 8 MiB）
    #[arg(long, default_value_t = 8 * 1024 * 1024, value_name = "字节数")]
    max_body_bytes: usize,
    /// 为 Cookie 加 Secure 标记（在反向代理之后以 HTTPS 提供服务时使用）
    #[arg(long)]
    secure_cookies: bool,
    /// 仅用于反向代理之后，且代理会把客户端地址追加到此请求头（如 X-Forwarded-For）：取其最右一项作为登录限流所认定的客户端；请求头 X-Forwarded-Proto: https 时 Cookie 加 Secure 标记
    #[arg(long, value_name = "请求头")]
    client_ip_header: Option<String>,
    /// 签发审计检查点的间隔秒数（日志有新增时才签发；默认 300）
    #[arg(long, default_value_t = 300, value_name = "秒数")]
    checkpoint_every: u64,
    #[arg(
        long,
        default_value_t = ssj_web::HEADER_READ_TIMEOUT.as_secs(),
        value_name = "秒数",
        help = format!(
            "客户端须在此秒数内发完请求头，否则断开连接；空闲的长连接（keep-alive）也只保持这么久（默认 {}）",
            ssj_web::HEADER_READ_TIMEOUT.as_secs()
        )
    )]
    header_read_timeout: u64,
    #[arg(
        long,
        default_value_t = ssj_web::REQUEST_TIMEOUT.as_secs(),
        value_name = "秒数",
        help = format!(
            "每个请求（含上传）须在此秒数内得到应答，否则返回 408（默认 {}）",
            ssj_web::REQUEST_TIMEOUT.as_secs()
        )
    )]
    request_timeout: u64,
}

#[derive(Subcommand)]
enum Command {
    /// 启动 Web 管理后台和公开门户
    Serve(ServeArgs),
    /// 数据库为空时载入演示数据（一个县级市），打印各登录账号，然后启动服务
    Demo {
        #[command(flatten)]
        serve: ServeArgs,
        /// 只载入演示数据，不启动服务
        #[arg(long)]
        no_serve: bool,
    },
    /// 执行数据库迁移后退出
    Migrate,
    /// 账号管理
    #[command(subcommand)]
    User(UserCommand),
    /// 行政区划管理
    #[command(subcommand)]
    Division(DivisionCommand),
    /// 部门管理
    #[command(subcommand)]
    Department(DepartmentCommand),
    /// 防篡改审计日志
    #[command(subcommand)]
    Audit(AuditCommand),
    /// 从 xlsx、xls 或 csv（UTF-8 或 GBK 编码）导入清单或名录；加 --dry-run 只预览
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// 将清单或名录导出为 csv 或 xlsx（内容为空时即为导入模板）
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// 随机抽查事项清单的版本
    #[command(subcommand)]
    Items(ItemsCommand),
    /// 年度抽查工作计划：导入计划表、发布、修订、完成、归档
    #[command(subcommand)]
    Plan(plan_commands::PlanCommand),
    /// 抽查任务
    #[command(subcommand)]
    Task(draw_commands::TaskCommand),
    /// 抽查任务的双随机抽取（SSJ-DRAW/1）
    #[command(subcommand)]
    Draw(draw_commands::DrawCommand),
    /// 仅凭抽取的导出目录或导出的 .zip 文件复算抽取结果：一致退出码为 0，部分核对为 3（无 conflicts.csv，未复核检查组），不一致为 1
    Verify {
        /// 导出目录或 .zip 文件
        #[arg(value_name = "路径")]
        dir: PathBuf,
    },
    /// 生成供性能测试用的模拟名录文件（流式写出，代码均可通过校验）
    Generate {
        #[command(subcommand)]
        what: GenerateWhat,
    },
}

#[derive(Subcommand)]
enum GenerateWhat {
    /// 生成含 --count 个检查对象的 CSV，格式与导入文件相同
    Objects {
        /// 检查对象的个数
        #[arg(long, value_name = "个数")]
        count: u64,
        /// 要写出的 CSV 文件
        #[arg(long, value_name = "文件")]
        out: PathBuf,
        /// 所生成对象的 6 位行政区划代码（默认 140581；不能与 --counties 同时使用）
        #[arg(
            long,
            default_value = "140581",
            conflicts_with = "counties",
            value_name = "区划代码"
        )]
        division: String,
        /// 把对象分布到山西的这么多个县（140101、140102 …），如同一个省的名录（1 到 99）
        #[arg(long, value_name = "县数")]
        counties: Option<u32>,
        /// 随机数种子（默认 1）
        #[arg(long, default_value_t = 1, value_name = "种子")]
        seed: u64,
    },
}

#[derive(Subcommand)]
enum ImportWhat {
    /// 随机抽查事项清单（部门清单或部门联合抽查清单），导入草稿版本
    Items {
        /// 要导入的文件（xlsx、xls 或 csv）
        #[arg(value_name = "文件")]
        file: PathBuf,
        /// 只显示将有哪些变更以及每一条被拒绝的行，不写入
        #[arg(long)]
        dry_run: bool,
        /// 有行被拒绝时仍导入其余合格的行（默认要么全部导入，要么全不导入）
        #[arg(long)]
        accept_valid: bool,
    },
    /// 检查对象名录（按代码新增或更新，变更记入各对象的历史）
    Objects {
        /// 要导入的文件（xlsx、xls 或 csv）
        #[arg(value_name = "文件")]
        file: PathBuf,
        /// 只显示将有哪些变更以及每一条被拒绝的行，不写入
        #[arg(long)]
        dry_run: bool,
        /// 有行被拒绝时仍导入其余合格的行（默认要么全部导入，要么全不导入）
        #[arg(long)]
        accept_valid: bool,
        /// 接收代码校验未通过的行，并标记为“代码存疑”
        #[arg(long)]
        accept_flagged: bool,
    },
    /// 执法检查人员名录（按执法证号新增或更新；所属部门须已存在）
    Officers {
        /// 要导入的文件（xlsx、xls 或 csv）
        #[arg(value_name = "文件")]
        file: PathBuf,
        /// 只显示将有哪些变更以及每一条被拒绝的行，不写入
        #[arg(long)]
        dry_run: bool,
        /// 有行被拒绝时仍导入其余合格的行（默认要么全部导入，要么全不导入）
        #[arg(long)]
        accept_valid: bool,
    },
}

#[derive(Subcommand)]
enum ExportWhat {
    /// 随机抽查事项清单（默认最新版本，可用 --version 指定）
    Items {
        /// 文件格式：xlsx 或 csv（默认 xlsx）
        #[arg(long, default_value = "xlsx", value_name = "格式")]
        format: String,
        /// 要写出的文件（默认输出到标准输出）
        #[arg(long, value_name = "文件")]
        out: Option<PathBuf>,
        /// 导出部门联合抽查事项，而非各部门的事项
        #[arg(long)]
        joint: bool,
        /// 清单的版本号（默认最新版本）
        #[arg(long, value_name = "版本号")]
        version: Option<i64>,
    },
    /// 检查对象名录（可按条件筛选）
    Objects {
        /// 文件格式：xlsx 或 csv（默认 xlsx）
        #[arg(long, default_value = "xlsx", value_name = "格式")]
        format: String,
        /// 要写出的文件（默认输出到标准输出）
        #[arg(long, value_name = "文件")]
        out: Option<PathBuf>,
        /// 只导出该信用风险等级的对象（A、B、C、D、U）
        #[arg(long, value_name = "等级")]
        tier: Option<String>,
        /// 只导出该行政区划及其下级的对象（6 位代码）
        #[arg(long, value_name = "区划代码")]
        division: Option<String>,
    },
    /// 执法检查人员名录（含电话和身份证号，加 --publication 则不含）
    Officers {
        /// 文件格式：xlsx 或 csv（默认 xlsx）
        #[arg(long, default_value = "xlsx", value_name = "格式")]
        format: String,
        /// 要写出的文件（默认输出到标准输出）
        #[arg(long, value_name = "文件")]
        out: Option<PathBuf>,
        /// 不含个人信息，用于对外公开的名录
        #[arg(long)]
        publication: bool,
    },
}

#[derive(Subcommand)]
enum ItemsCommand {
    /// 将草稿发布为新的版本（发布后不可更改）
    Publish {
        /// 发布说明（默认为空）
        #[arg(long, default_value = "", value_name = "说明")]
        note: String,
    },
    /// 列出各个版本
    Versions,
}

#[derive(Subcommand)]
enum UserCommand {
    /// 新建账号（未给出密码时自动生成并打印）
    Add {
        /// 登录用户名
        #[arg(long, value_name = "用户名")]
        username: String,
        /// 真实姓名
        #[arg(long, value_name = "姓名")]
        name: String,
        /// 所属部门：部门编号或完整名称
        #[arg(long, value_name = "部门")]
        department: String,
        /// 角色：system_admin、department_admin、planner、officer、reviewer、supervisor（也可写中文名称，如 系统管理员）
        #[arg(long, value_name = "角色")]
        role: String,
        /// 数据范围：own_department、department_and_below、all（默认为该角色的默认范围）
        #[arg(long, value_name = "范围")]
        scope: Option<String>,
        /// 初始密码（未给出时自动生成并打印；环境变量 SHUANGSUIJI_PASSWORD）
        #[arg(long, env = "SHUANGSUIJI_PASSWORD", value_name = "密码")]
        password: Option<String>,
    },
    /// 设置账号密码（未给出时自动生成并打印），并解除锁定
    Passwd {
        /// 用户名
        #[arg(value_name = "用户名")]
        username: String,
        /// 新密码（未给出时自动生成并打印；环境变量 SHUANGSUIJI_PASSWORD）
        #[arg(long, env = "SHUANGSUIJI_PASSWORD", value_name = "密码")]
        password: Option<String>,
    },
    /// 列出账号
    List {
        /// 输出格式：table 或 csv（默认 table）
        #[arg(long, default_value = "table", value_name = "格式")]
        format: String,
    },
}

#[derive(Subcommand)]
enum DivisionCommand {
    /// 从 UTF-8 编码的 CSV 文件导入行政区划，每行为“代码,名称”（要么全部导入，要么全不导入）
    Import {
        /// 要导入的 CSV 文件
        #[arg(value_name = "文件")]
        file: PathBuf,
    },
    /// 列出行政区划
    List,
}

#[derive(Subcommand)]
enum DepartmentCommand {
    /// 在已登记的行政区划下新增部门
    Add {
        /// 部门名称
        #[arg(long, value_name = "名称")]
        name: String,
        /// 部门所在行政区划的 6 位代码
        #[arg(long, value_name = "区划代码")]
        division: String,
    },
    /// 列出部门
    List,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// 重新计算整个日志和每个检查点；全部一致时退出码才为 0
    Verify,
    /// 为当前的日志签发一个检查点
    Checkpoint,
    /// 输出指定序号记录的包含证明（JSON）
    Prove {
        /// 记录序号
        #[arg(value_name = "序号")]
        seq: u64,
        /// 据以证明的日志规模，即记录条数（默认为最新检查点的规模）
        #[arg(long, value_name = "规模")]
        size: Option<u64>,
    },
    /// 输出两个日志规模之间的一致性证明（JSON）
    Consistency {
        /// 较早的日志规模（记录条数）
        #[arg(value_name = "规模")]
        from: u64,
        /// 较晚的日志规模（默认为最新检查点的规模）
        #[arg(long, value_name = "规模")]
        to: Option<u64>,
    },
    /// 把公开审计接口提供的内容写入目录（checkpoints.json、records.json，以及每两个相邻检查点之间的一致性证明），供 docs/verify_audit.py 核验
    Publish {
        /// 要写入的目录
        #[arg(value_name = "目录")]
        dir: PathBuf,
    },
    /// 更换检查点签名密钥（须先停止服务）：旧密钥在一条公开记录中为新密钥背书并签发最后一个检查点，新密钥再为同一棵树签名
    RotateKey {
        /// 更换原因（如 密钥泄露、定期轮换），记入该记录
        #[arg(long, value_name = "原因")]
        reason: String,
    },
}

fn main() -> ExitCode {
    // A province's draw moves buffers of hundreds of megabytes; in 2 MiB pages the kernel
    // clears and maps them in a fraction of the time (about 0.5 s of a 10M draw's 4 s).
    // SAFETY: mimalloc keeps its options in atomics; this only changes later OS allocations.
    unsafe { libmimalloc_sys::mi_option_set(libmimalloc_sys::mi_option_large_os_pages, 1) };
    let cli = match parse_args() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let serving = matches!(
        cli.command,
        Command::Serve(_)
            | Command::Demo {
                no_serve: false,
                ..
            }
    );
    let filter =
        tracing_subscriber::EnvFilter::try_from_env("SHUANGSUIJI_LOG").unwrap_or_else(|_| {
            tracing_subscriber::EnvFilter::new(if serving { "info" } else { "warn" })
        });
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误：无法启动运行时：{e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e}");
            ExitCode::FAILURE
        }
    }
}

/// The command line, or the exit code once help, the version or a usage error is printed. All of
/// it is in Chinese: clap's own words (headings, usage, the help and version flags) are replaced,
/// its English annotations hidden (each option's help states its default and environment
/// variable), and its English error messages rewritten from their context.
fn parse_args() -> Result<Cli, ExitCode> {
    let mut cmd = chinese_command();
    cmd.try_get_matches_from_mut(std::env::args_os())
        .and_then(|m| Cli::from_arg_matches(&m))
        .map_err(|e| report(&cmd, &e))
}

/// Where the options every command takes are listed: after the command's own.
const GLOBAL_DISPLAY_ORDER: usize = 1000;

fn chinese_command() -> clap::Command {
    let cmd = Cli::command()
        .bin_name("shuangsuiji")
        .disable_help_flag(true)
        .disable_version_flag(true)
        .disable_help_subcommand(true)
        .mut_args(|a| {
            if a.is_global_set() {
                let order = a.get_display_order();
                a.display_order(GLOBAL_DISPLAY_ORDER + order)
            } else {
                a
            }
        })
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .global(true)
                .action(ArgAction::Help)
                .help("显示帮助")
                .display_order(GLOBAL_DISPLAY_ORDER * 2),
        )
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本号")
                .display_order(GLOBAL_DISPLAY_ORDER * 2 + 1),
        );
    let mut cmd = localize(cmd);
    cmd.build();
    chinese_usage(&mut cmd);
    cmd
}

/// Chinese headings for `cmd` and its subcommands, and no English annotations on their args.
fn localize(cmd: clap::Command) -> clap::Command {
    let template = help_template(
        cmd.get_styles(),
        cmd.has_subcommands(),
        cmd.get_positionals().next().is_some(),
    );
    cmd.help_template(template)
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .mut_args(|a| {
            // Chinese value names are wider than clap counts them: a description on a line of
            // its own keeps the columns straight.
            let takes_value = a.get_action().takes_values();
            a.hide_default_value(takes_value)
                .hide_possible_values(takes_value)
                .hide_env(true)
                .next_line_help(true)
        })
        .mut_subcommands(localize)
}

fn help_template(styles: &Styles, subcommands: bool, positionals: bool) -> String {
    let (usage, header) = (styles.get_usage(), styles.get_header());
    let mut t = format!("{{before-help}}{{about-with-newline}}\n{usage}用法：{usage:#}{{usage}}\n");
    if subcommands {
        t.push_str(&format!("\n{header}命令：{header:#}\n{{subcommands}}\n"));
    }
    if positionals {
        t.push_str(&format!("\n{header}参数：{header:#}\n{{positionals}}\n"));
    }
    t.push_str(&format!(
        "\n{header}选项：{header:#}\n{{options}}{{after-help}}"
    ));
    t
}

/// clap writes `[OPTIONS]` into every usage line: each (built) command's usage is set to its
/// own with that word in Chinese.
fn chinese_usage(cmd: &mut clap::Command) {
    let reset = cmd.get_styles().get_usage().render_reset().to_string();
    let rendered = cmd.render_usage().ansi().to_string();
    let usage = rendered
        .split_once("Usage:")
        .map_or(rendered.as_str(), |(_, rest)| rest);
    let usage = usage
        .strip_prefix(reset.as_str())
        .unwrap_or(usage)
        .trim_start()
        .replace("[OPTIONS]", "[选项]");
    *cmd = std::mem::take(cmd).override_usage(usage);
    for sub in cmd.get_subcommands_mut() {
        chinese_usage(sub);
    }
}

/// Prints what clap has to say, help as it is and errors in Chinese; the exit code: 0 for help
/// and the version, 2 for a usage error.
fn report(cmd: &clap::Command, e: &clap::Error) -> ExitCode {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            ExitCode::SUCCESS
        }
        // A command given without its subcommand: its help, on stderr.
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            ExitCode::from(2)
        }
        _ => {
            eprintln!(
                "错误：{}\n\n运行 {} --help 查看用法",
                usage_error(e),
                command_path(cmd, e)
            );
            ExitCode::from(2)
        }
    }
}

/// `shuangsuiji task list`: the command whose usage the error carries or, for an error about a
/// value (which carries none), the subcommands named on the command line.
fn command_path(cmd: &clap::Command, e: &clap::Error) -> String {
    let usage = match e.get(ContextKind::Usage) {
        Some(ContextValue::StyledStr(usage)) => usage.to_string(),
        _ => String::new(),
    };
    let mut words: Vec<String> = usage
        .trim_start()
        .trim_start_matches("Usage:")
        .split_whitespace()
        .take_while(|w| !w.starts_with(['[', '<', '-', '{']))
        .map(String::from)
        .collect();
    if words.is_empty() {
        words.push("shuangsuiji".to_string());
        let mut at = cmd;
        let mut args = std::env::args_os().skip(1).take_while(|a| a != "--");
        while let Some(arg) = args.next() {
            let text = arg.to_string_lossy();
            if let Some(long) = text.strip_prefix("--").filter(|l| !l.contains('=')) {
                // An option's value is not a subcommand, whatever it says.
                let takes_value = at
                    .get_arguments()
                    .find(|a| a.get_long() == Some(long))
                    .is_some_and(|a| a.get_action().takes_values());
                if takes_value {
                    args.next();
                }
            } else if let Some(sub) = at.find_subcommand(&arg) {
                words.push(sub.get_name().to_string());
                at = sub;
            }
        }
    }
    words.join(" ")
}

/// clap's error in Chinese, from the context it carries (the argument, the value, what would
/// have been accepted).
fn usage_error(e: &clap::Error) -> String {
    let text = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        Some(ContextValue::Strings(v)) => v.join("、"),
        _ => String::new(),
    };
    let list = |kind| match e.get(kind) {
        Some(ContextValue::Strings(v)) => v.clone(),
        Some(ContextValue::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    };
    let number = |kind| match e.get(kind) {
        Some(ContextValue::Number(n)) => n.to_string(),
        _ => "?".to_string(),
    };
    let arg = text(ContextKind::InvalidArg);
    let value = text(ContextKind::InvalidValue);
    let choices = |kind| {
        let valid = list(kind);
        if valid.is_empty() {
            String::new()
        } else {
            format!("（可选：{}）", valid.join("、"))
        }
    };
    let mut message = match e.kind() {
        ErrorKind::UnknownArgument => format!("无法识别的参数“{arg}”"),
        ErrorKind::InvalidSubcommand => {
            format!("无法识别的命令“{}”", text(ContextKind::InvalidSubcommand))
        }
        ErrorKind::MissingSubcommand => format!(
            "“{}”后面缺少命令{}",
            text(ContextKind::InvalidSubcommand),
            choices(ContextKind::ValidSubcommand)
        ),
        ErrorKind::MissingRequiredArgument => format!("缺少必需的参数：{arg}"),
        ErrorKind::InvalidValue if value.is_empty() => format!("“{arg}”需要一个值"),
        ErrorKind::InvalidValue => format!(
            "“{arg}”的值“{value}”无效{}",
            choices(ContextKind::ValidValue)
        ),
        ErrorKind::ValueValidation => format!("“{arg}”的值“{value}”无效{}", invalid_because(e)),
        ErrorKind::ArgumentConflict => {
            let prior = text(ContextKind::PriorArg);
            if prior.is_empty() || prior == arg {
                format!("“{arg}”只能给出一次")
            } else {
                format!("“{arg}”不能与“{prior}”同时使用")
            }
        }
        ErrorKind::NoEquals => format!("给“{arg}”赋值时须使用等号（=）"),
        ErrorKind::TooManyValues => format!("“{arg}”不接受多余的值“{value}”"),
        ErrorKind::TooFewValues => format!(
            "“{arg}”至少需要 {} 个值，只给出了 {} 个",
            number(ContextKind::MinValues),
            number(ContextKind::ActualNumValues)
        ),
        ErrorKind::WrongNumberOfValues => format!(
            "“{arg}”需要 {} 个值，给出了 {} 个",
            number(ContextKind::ExpectedNumValues),
            number(ContextKind::ActualNumValues)
        ),
        ErrorKind::InvalidUtf8 => "参数中含有无效的 UTF-8 文字".to_string(),
        _ => "命令行参数有误".to_string(),
    };
    for s in list(ContextKind::SuggestedSubcommand) {
        message.push_str(&format!("\n  提示：是否要用命令“{s}”？"));
    }
    for s in list(ContextKind::SuggestedArg) {
        message.push_str(&format!("\n  提示：是否要用“{s}”？"));
    }
    for s in list(ContextKind::SuggestedValue) {
        message.push_str(&format!("\n  提示：是否要用值“{s}”？"));
    }
    if let Some(ContextValue::StyledStrs(tips)) = e.get(ContextKind::Suggested) {
        for tip in tips.iter().filter_map(|t| chinese_tip(&t.to_string())) {
            message.push_str(&format!("\n  提示：{tip}"));
        }
    }
    message
}

/// clap's English tips, by their quoted parts: `to pass 'X' as a value, use 'Y'`, `'X' exists`,
/// `subcommand 'X' exists; to use it, remove the '--' before it`.
fn chinese_tip(tip: &str) -> Option<String> {
    let quoted: Vec<&str> = tip.split('\'').skip(1).step_by(2).collect();
    if tip.starts_with("to pass") && quoted.len() == 2 {
        Some(format!(
            "如要把“{}”作为值传入，请写成“{}”",
            quoted[0], quoted[1]
        ))
    } else if tip.starts_with("subcommand") && !quoted.is_empty() {
        Some(format!(
            "命令“{}”存在；如要使用，请去掉它前面的“--”",
            quoted[0]
        ))
    } else if tip.ends_with("exists") && quoted.len() == 1 {
        Some(format!("可以这样用：“{}”", quoted[0]))
    } else {
        None
    }
}

/// Why a value did not parse, for the parsers this command line uses (numbers, an address).
fn invalid_because(e: &clap::Error) -> String {
    use std::num::IntErrorKind;
    let Some(source) = std::error::Error::source(e) else {
        return String::new();
    };
    let why = if let Some(int) = source.downcast_ref::<std::num::ParseIntError>() {
        match int.kind() {
            IntErrorKind::Empty => "值为空".to_string(),
            IntErrorKind::PosOverflow => "数值过大".to_string(),
            IntErrorKind::NegOverflow => "数值过小".to_string(),
            _ => "应为整数".to_string(),
        }
    } else if source.is::<std::net::AddrParseError>() {
        "应为“IP 地址:端口”，如 127.0.0.1:8080".to_string()
    } else if let Some((_, range)) = source.to_string().split_once(" is not in ") {
        format!("超出允许的范围 {range}")
    } else {
        source.to_string()
    };
    format!("：{why}")
}
