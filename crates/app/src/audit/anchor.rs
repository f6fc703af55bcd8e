//! The latest signed checkpoints kept outside the database: an append-only file in the data
//! directory and, when the deployment names one, a witness directory elsewhere (another disk,
//! another host's mount). A person who can rewrite the database cannot make it forget a
//! checkpoint written here: the server refuses to sign over a log that does not extend the
//! anchor, and `audit verify` fails naming both.

use crate::audit::CheckpointView;
use crate::{AppError, AppResult, ErrorKind};
use ssj_merkle::from_hex;
use ssj_storage::Checkpoint;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const ANCHOR_FILE: &str = "audit-anchor.jsonl";

/// Where the anchor lives: the data directory, and optionally a witness directory.
#[derive(Debug, Clone)]
pub struct Anchors {
    pub primary: PathBuf,
    pub witness: Option<PathBuf>,
}

impl Anchors {
    pub fn new(data_dir: &Path, witness_dir: Option<&Path>) -> Anchors {
        Anchors {
            primary: data_dir.join(ANCHOR_FILE),
            witness: witness_dir.map(|d| d.join(ANCHOR_FILE)),
        }
    }

    pub fn files(&self) -> impl Iterator<Item = &Path> {
        std::iter::once(self.primary.as_path()).chain(self.witness.as_deref())
    }

    /// Appends a newly signed checkpoint to every anchor file. The witness failing does not
    /// undo the checkpoint (it is already in the database and the primary file); it is reported.
    pub fn append(&self, c: &Checkpoint) -> AppResult<Option<String>> {
        append_line(&self.primary, c)?;
        Ok(self
            .witness
            .as_deref()
            .and_then(|w| append_line(w, c).err())
            .map(|e| e.message))
    }
}

fn io_error(path: &Path, what: &str, e: std::io::Error) -> AppError {
    AppError::new(
        ErrorKind::Internal,
        "AUDIT_ANCHOR_IO",
        format!("{what}审计锚定文件 {} 失败：{e}", path.display()),
    )
}

fn append_line(path: &Path, c: &Checkpoint) -> AppResult<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io_error(path, "创建目录保存", e))?;
    }
    let mut line = serde_json::to_string(&CheckpointView::from(c)).expect("plain data");
    line.push('\n');
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| io_error(path, "写入", e))?;
    f.write_all(line.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| io_error(path, "写入", e))
}

/// The checkpoints an anchor file holds, oldest first; an absent file holds none.
pub fn read(path: &Path) -> AppResult<Vec<Checkpoint>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error(path, "读取", e)),
    };
    let bad = |n: usize, why: &str| {
        AppError::new(
            ErrorKind::Internal,
            "AUDIT_ANCHOR_INVALID",
            format!("审计锚定文件 {} 第 {n} 行无效：{why}", path.display()),
        )
    };
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| bad(i + 1, &e.to_string()))?;
        let field = |k: &str| v.get(k).ok_or_else(|| bad(i + 1, &format!("缺少 {k}")));
        let hex_field = |k: &str| -> AppResult<Vec<u8>> {
            field(k)?
                .as_str()
                .and_then(|s| hex::decode(s).ok())
                .ok_or_else(|| bad(i + 1, &format!("{k} 不是十六进制")))
        };
        out.push(Checkpoint {
            tree_size: field("tree_size")?
                .as_u64()
                .ok_or_else(|| bad(i + 1, "tree_size 不是整数"))?,
            root: field("root")?
                .as_str()
                .and_then(from_hex)
                .ok_or_else(|| bad(i + 1, "root 不是 32 字节的十六进制"))?,
            at_ms: field("at_ms")?
                .as_i64()
                .ok_or_else(|| bad(i + 1, "at_ms 不是整数"))?,
            hash_alg: field("hash_alg")?
                .as_str()
                .ok_or_else(|| bad(i + 1, "hash_alg 不是文本"))?
                .to_string(),
            public_key: hex_field("public_key")?,
            signature: hex_field("signature")?,
        });
    }
    Ok(out)
}

/// Why the database's checkpoints do not account for `anchor`, the newest one of an anchor file
/// at `path`; `None` when the database holds that very checkpoint.
pub fn disagreement(path: &Path, anchor: &Checkpoint, db: &[Checkpoint]) -> Option<String> {
    if db.iter().any(|c| same(c, anchor)) {
        return None;
    }
    let db_end = db.iter().map(|c| c.tree_size).max();
    let anchor_desc = format!(
        "锚定文件 {} 记录的检查点：{} 条记录，根哈希 {}",
        path.display(),
        anchor.tree_size,
        ssj_merkle::to_hex(&anchor.root)
    );
    Some(match db_end {
        None => format!("数据库中没有任何检查点，而{anchor_desc}"),
        Some(end) if end < anchor.tree_size => {
            format!("数据库的检查点止于 {end} 条记录，早于{anchor_desc}")
        }
        Some(_) => match db.iter().find(|c| c.tree_size == anchor.tree_size) {
            Some(c) => format!(
                "数据库中 {} 条记录处的检查点根哈希为 {}，与{anchor_desc}不符",
                c.tree_size,
                ssj_merkle::to_hex(&c.root)
            ),
            None => format!("数据库中没有与之相同的检查点；{anchor_desc}"),
        },
    })
}

fn same(a: &Checkpoint, b: &Checkpoint) -> bool {
    a.tree_size == b.tree_size
        && a.root == b.root
        && a.at_ms == b.at_ms
        && a.public_key == b.public_key
        && a.signature == b.signature
}
