//! `shuangsuiji`: serve the platform, load the demo county, manage accounts, check the audit log.

mod commands;
mod draw_commands;

#[global_allocator]
// Imports hand millions of small strings from the reading thread to the writing one; glibc
// malloc spends a quarter of that time on cross-thread frees, mimalloc almost none.
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "shuangsuiji", version, about = "双随机、一公开监管平台")]
struct Cli {
    /// SQLite file path, or a postgres:// URL.
    #[arg(
        long,
        global = true,
        env = "SHUANGSUIJI_DATABASE",
        default_value = "./shuangsuiji.db"
    )]
    database: String,
    /// Where the audit signing key is kept [default: shuangsuiji-data beside the SQLite file;
    /// for a postgres:// URL, ./shuangsuiji-data in the working directory].
    #[arg(long, global = true, env = "SHUANGSUIJI_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// A directory outside the data directory (another disk, a mounted share) that also keeps
    /// every signed audit checkpoint, so that a rewritten database is caught there too.
    #[arg(long, global = true, env = "SHUANGSUIJI_AUDIT_WITNESS")]
    audit_witness: Option<PathBuf>,
    /// Hash function of a new database's audit log: sha256, or sm3 for 密评 deployments.
    #[arg(long, global = true, env = "SHUANGSUIJI_AUDIT_HASH")]
    audit_hash: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct ServeArgs {
    /// Address to listen on (port 0 picks a free port and prints it).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Largest accepted request body, in bytes.
    #[arg(long, default_value_t = 8 * 1024 * 1024)]
    max_body_bytes: usize,
    /// Mark cookies Secure (when served over HTTPS behind a reverse proxy).
    #[arg(long)]
    secure_cookies: bool,
    /// Only behind a reverse proxy that appends the client address to this header (e.g.
    /// X-Forwarded-For): its right-most entry is the client for login throttling, and
    /// X-Forwarded-Proto: https makes cookies Secure.
    #[arg(long)]
    client_ip_header: Option<String>,
    /// Seconds between signed audit checkpoints (when the log has grown).
    #[arg(long, default_value_t = 300)]
    checkpoint_every: u64,
    /// Seconds a client has to send a request's headers (also how long an idle keep-alive
    /// connection stays open) before it is closed.
    #[arg(long, default_value_t = ssj_web::HEADER_READ_TIMEOUT.as_secs())]
    header_read_timeout: u64,
    /// Seconds within which a request (its upload included) must be answered, else 408.
    #[arg(long, default_value_t = ssj_web::REQUEST_TIMEOUT.as_secs())]
    request_timeout: u64,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web console and the public portal.
    Serve(ServeArgs),
    /// Create the database with a demo county (if empty), print its logins, and serve.
    Demo {
        #[command(flatten)]
        serve: ServeArgs,
        /// Load the demo data and exit without serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Administrative divisions (行政区划).
    #[command(subcommand)]
    Division(DivisionCommand),
    /// Departments.
    #[command(subcommand)]
    Department(DepartmentCommand),
    /// The tamper-evident audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Import a list from xlsx, xls or csv (UTF-8 or GBK); previews with --dry-run.
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Export a list as csv or xlsx (an empty list gives the template).
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// The item list's versions.
    #[command(subcommand)]
    Items(ItemsCommand),
    /// Inspection tasks (抽查任务).
    #[command(subcommand)]
    Task(draw_commands::TaskCommand),
    /// The double-random draw of a task (SSJ-DRAW/1).
    #[command(subcommand)]
    Draw(draw_commands::DrawCommand),
    /// Recompute a draw from its export folder or export .zip: exit 0 一致, 3 部分核对 (no
    /// conflicts.csv: the teams were not rechecked), 1 不一致.
    Verify { dir: PathBuf },
    /// Generate a synthetic directory file for benchmarks (streamed, valid codes).
    Generate {
        #[command(subcommand)]
        what: GenerateWhat,
    },
}

#[derive(Subcommand)]
enum GenerateWhat {
    /// A CSV of N objects in the import layout.
    Objects {
        #[arg(long)]
        count: u64,
        #[arg(long)]
        out: PathBuf,
        /// 6-digit division code of the generated objects.
        #[arg(long, default_value = "140581", conflicts_with = "counties")]
        division: String,
        /// Spread the objects over this many counties of 山西 (140101, 140102 …), as a
        /// province's directory is.
        #[arg(long)]
        counties: Option<u32>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Subcommand)]
enum ImportWhat {
    /// 随机抽查事项清单 (a department list or a joint list), into the draft version.
    Items {
        file: PathBuf,
        /// Show what would change and every rejected row; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Import the good rows even if some are rejected (default: all or nothing).
        #[arg(long)]
        accept_valid: bool,
    },
    /// 检查对象名录 (upsert by code; changes go to each object's history).
    Objects {
        file: PathBuf,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        accept_valid: bool,
        /// Take rows whose code fails its check, flagged as 代码存疑.
        #[arg(long)]
        accept_flagged: bool,
    },
    /// 执法检查人员名录 (upsert by 执法证号; departments must exist).
    Officers {
        file: PathBuf,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        accept_valid: bool,
    },
}

#[derive(Subcommand)]
enum ExportWhat {
    /// 随机抽查事项清单 (latest version unless --version).
    Items {
        #[arg(long, default_value = "xlsx")]
        format: String,
        #[arg(long)]
        out: Option<PathBuf>,
        /// The joint items (部门联合抽查事项) instead of the departments' items.
        #[arg(long)]
        joint: bool,
        #[arg(long)]
        version: Option<i64>,
    },
    /// 检查对象名录 (optionally filtered).
    Objects {
        #[arg(long, default_value = "xlsx")]
        format: String,
        #[arg(long)]
        out: Option<PathBuf>,
        /// Only this risk tier (A, B, C, D, U).
        #[arg(long)]
        tier: Option<String>,
        /// Only this division and below (6-digit code).
        #[arg(long)]
        division: Option<String>,
    },
    /// 执法检查人员名录 (with phone and ID numbers unless --publication).
    Officers {
        #[arg(long, default_value = "xlsx")]
        format: String,
        #[arg(long)]
        out: Option<PathBuf>,
        /// Leave out personal data, for a list meant for publication.
        #[arg(long)]
        publication: bool,
    },
}

#[derive(Subcommand)]
enum ItemsCommand {
    /// Publish the draft as a new immutable version.
    Publish {
        #[arg(long, default_value = "")]
        note: String,
    },
    /// List the versions.
    Versions,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account (the password is generated and printed unless given).
    Add {
        #[arg(long)]
        username: String,
        /// Real name (姓名).
        #[arg(long)]
        name: String,
        /// Department id or exact name.
        #[arg(long)]
        department: String,
        /// system_admin, department_admin, planner, officer, reviewer, supervisor (or 系统管理员 …).
        #[arg(long)]
        role: String,
        /// own_department, department_and_below, all (default: the role's).
        #[arg(long)]
        scope: Option<String>,
        #[arg(long, env = "SHUANGSUIJI_PASSWORD")]
        password: Option<String>,
    },
    /// Set an account's password (generated and printed unless given); unlocks it.
    Passwd {
        username: String,
        #[arg(long, env = "SHUANGSUIJI_PASSWORD")]
        password: Option<String>,
    },
    /// List accounts.
    List {
        #[arg(long, default_value = "table")]
        format: String,
    },
}

#[derive(Subcommand)]
enum DivisionCommand {
    /// Import divisions from a UTF-8 CSV file of `代码,名称` lines (all or nothing).
    Import { file: PathBuf },
    /// List divisions.
    List,
}

#[derive(Subcommand)]
enum DepartmentCommand {
    /// Add a department to a registered division.
    Add {
        #[arg(long)]
        name: String,
        /// 6-digit division code.
        #[arg(long)]
        division: String,
    },
    /// List departments.
    List,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the whole log and every checkpoint; exit 0 only if all match.
    Verify,
    /// Sign a checkpoint of the log as it stands.
    Checkpoint,
    /// Print the inclusion proof of record SEQ (JSON).
    Prove {
        seq: u64,
        /// Tree size to prove against (default: the latest checkpoint).
        #[arg(long)]
        size: Option<u64>,
    },
    /// Print the consistency proof between two log sizes (JSON).
    Consistency {
        from: u64,
        #[arg(long)]
        to: Option<u64>,
    },
    /// Write what the public audit API serves into DIR (checkpoints.json, records.json and a
    /// consistency proof between each two successive checkpoints), for docs/verify_audit.py.
    Publish { dir: PathBuf },
    /// Replace the checkpoint signing key (stop the server first): the old key endorses the
    /// new one in a public record and signs a last checkpoint; the new key signs the same tree.
    RotateKey {
        /// Why (e.g. 密钥泄露, 定期轮换); kept in the record.
        #[arg(long)]
        reason: String,
    },
}

fn main() -> ExitCode {
    // A province's draw moves buffers of hundreds of megabytes; in 2 MiB pages the kernel
    // clears and maps them in a fraction of the time (about 0.5 s of a 10M draw's 4 s).
    // SAFETY: mimalloc keeps its options in atomics; this only changes later OS allocations.
    unsafe { libmimalloc_sys::mi_option_set(libmimalloc_sys::mi_option_large_os_pages, 1) };
    let cli = Cli::parse();
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
