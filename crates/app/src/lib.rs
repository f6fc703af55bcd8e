//! Application services over any storage backend. Every state change is made here: it opens a
//! transaction, changes rows, appends its audit record with [`audit::Appender`], and commits,
//! so a change and its record are stored together or not at all.

pub mod accounts;
pub mod audit;
pub mod clock;
pub mod demo;
pub mod draws;
pub mod error;
pub mod generate;
pub mod imports;
pub mod items;
pub mod keys;
pub mod objects;
pub mod officers;
pub mod org;
pub mod plans;
pub use plans::tasks;
pub mod verify;
pub mod workbench;

pub use accounts::{Actor, LoginOutcome};
pub use error::{AppError, AppResult, ErrorKind};

use ed25519_dalek::SigningKey;
use ssj_merkle::HashAlg;
use ssj_storage::Store;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How to open a platform: `database` is a SQLite path or a `postgres://` URL.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    pub database: String,
    pub data_dir: PathBuf,
    /// The audit log's hash function for a new database; an existing one keeps its own.
    pub hash_alg: Option<HashAlg>,
    /// A second place, outside the data directory, that keeps every signed checkpoint.
    pub witness_dir: Option<PathBuf>,
}

/// Policy numbers, kept in one place.
#[derive(Debug, Clone)]
pub struct Policy {
    /// A session unused for this long is refused and deleted.
    pub session_idle_ms: i64,
    /// A session older than this is refused and deleted however active it is.
    pub session_max_ms: i64,
    /// Failures from one client address within [`Policy::throttle_window_ms`] after which that
    /// address is refused (429) until the window closes. Other addresses are unaffected.
    pub throttle_failures: i64,
    pub throttle_window_ms: i64,
    /// Attempts one client address may have in flight at once (see `accounts::throttle`).
    pub throttle_in_flight: i64,
    /// Consecutive wrong passwords on one account, from anywhere, that lock it for
    /// [`Policy::lockout_ms`]. Kept high (NIST SP 800-63B §5.2.2 allows at most 100) so that it
    /// only stops a guessing campaign spread over many addresses; a locked account is answered
    /// exactly like a wrong password, and `shuangsuiji user passwd` or 解锁 lifts it.
    pub max_failed_logins: i64,
    pub lockout_ms: i64,
    /// What a new password must be, how long it lasts, and whether one set by someone else
    /// (generated, or reset by an administrator) is changed at the holder's first login.
    pub passwords: ssj_domain::PasswordPolicy,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            session_idle_ms: 30 * 60 * 1000,
            session_max_ms: 12 * 60 * 60 * 1000,
            throttle_failures: 10,
            throttle_window_ms: 15 * 60 * 1000,
            throttle_in_flight: 64,
            max_failed_logins: 100,
            lockout_ms: 15 * 60 * 1000,
            passwords: ssj_domain::PasswordPolicy::default(),
        }
    }
}

pub struct Platform {
    store: Arc<dyn Store>,
    pub alg: HashAlg,
    pub policy: Policy,
    signer: SigningKey,
    /// Permits for CPU-heavy work on uploaded files and exports (one per core).
    heavy: Arc<tokio::sync::Semaphore>,
    logins: accounts::LoginGuard,
    /// The checkpoints kept outside the database ([`anchor`]); `None` for platforms assembled
    /// from parts in tests, which have no data directory.
    anchors: Option<audit::anchor::Anchors>,
    /// One build at a time of a draw's lookup index or export zip, so that a crowd asking for
    /// a new draw's zip does not build it once each.
    index_builds: Arc<tokio::sync::Mutex<()>>,
}

const HASH_ALG_KEY: &str = "audit.hash_alg";

/// Opens the storage backend named by `database`, applying its migrations.
pub async fn open_store(database: &str) -> AppResult<Arc<dyn Store>> {
    if database.starts_with("postgres://") || database.starts_with("postgresql://") {
        Ok(Arc::new(
            ssj_storage_postgres::PgStore::connect(database).await?,
        ))
    } else {
        let path = database.strip_prefix("sqlite://").unwrap_or(database);
        if let Some(dir) = Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).map_err(|e| {
                AppError::internal(format!("无法创建数据库目录 {}：{e}", dir.display()))
            })?;
        }
        Ok(Arc::new(
            ssj_storage_sqlite::SqliteStore::open(Path::new(path)).await?,
        ))
    }
}

impl Platform {
    pub async fn open(opts: &OpenOptions) -> AppResult<Platform> {
        let store = open_store(&opts.database).await?;
        let latest = store.checkpoints().await?.pop();
        let signer = keys::load_for(&opts.data_dir, latest.as_ref())?;
        let mut p = Platform::with_store(store, signer, opts.hash_alg).await?;
        p.anchors = Some(audit::anchor::Anchors::new(
            &opts.data_dir,
            opts.witness_dir.as_deref(),
        ));
        Ok(p)
    }

    /// Keeps signed checkpoints in anchor files under `data_dir` (and `witness_dir`) too.
    pub fn with_anchors(mut self, data_dir: &Path, witness_dir: Option<&Path>) -> Platform {
        self.anchors = Some(audit::anchor::Anchors::new(data_dir, witness_dir));
        self
    }

    /// Assembles a platform from parts; fixes the log's hash function on first use.
    pub async fn with_store(
        store: Arc<dyn Store>,
        signer: SigningKey,
        wanted: Option<HashAlg>,
    ) -> AppResult<Platform> {
        let alg = match store.meta_get(HASH_ALG_KEY).await? {
            Some(name) => {
                let alg = HashAlg::parse(&name).ok_or_else(|| {
                    AppError::internal(format!("数据库记录的审计哈希算法无法识别：{name}"))
                })?;
                if let Some(w) = wanted.filter(|w| *w != alg) {
                    return Err(AppError::invalid(
                        "HASH_ALG_FIXED",
                        format!(
                            "本数据库的审计日志使用 {}，不能改为 {}",
                            alg.name(),
                            w.name()
                        ),
                    ));
                }
                alg
            }
            None => {
                let alg = wanted.unwrap_or(HashAlg::Sha256);
                let mut tx = store.begin().await?;
                tx.meta_set(HASH_ALG_KEY, alg.name()).await?;
                tx.commit().await?;
                alg
            }
        };
        let platform = Platform {
            store,
            alg,
            policy: Policy::default(),
            signer,
            heavy: Arc::new(tokio::sync::Semaphore::new(heavy_permits())),
            logins: Default::default(),
            anchors: None,
            index_builds: Default::default(),
        };
        // Tasks stored before plans existed become one-task plans, once.
        platform.adopt_tasks_without_plan().await?;
        Ok(platform)
    }

    /// Runs CPU-heavy work (parsing an uploaded file, writing an export) on the blocking pool,
    /// a few at a time, so that the async workers keep answering everyone else. The permit
    /// goes with the work: a client that hangs up does not free it before the work ends.
    pub(crate) async fn offload<T, F>(&self, work: F) -> AppResult<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit = self.heavy_permit().await?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|e| AppError::internal(format!("后台处理意外中断：{e}")))
    }

    /// A permit of [`Self::offload`]'s pool, for work that runs on a thread of its own.
    pub(crate) async fn heavy_permit(&self) -> AppResult<tokio::sync::OwnedSemaphorePermit> {
        self.heavy
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| AppError::internal("后台处理已停止"))
    }

    /// Closes the database's connections (the command line, before it exits).
    pub async fn close(&self) {
        self.store.close().await;
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.signer.verifying_key().to_bytes()
    }
}

/// One heavy job per core, and at least two.
fn heavy_permits() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .max(2)
}
