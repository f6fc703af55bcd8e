//! The Ed25519 key that signs audit checkpoints: made when a database is new, kept in the data
//! directory (by default beside the database file), and never silently replaced afterwards.

use crate::audit::check_signature;
use crate::{AppError, AppResult, ErrorKind};
use ed25519_dalek::SigningKey;
use ssj_storage::Checkpoint;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const KEY_FILE: &str = "audit-signing.key";

/// Name of the default data directory, beside the SQLite file (or in the working directory).
pub const DATA_DIR_NAME: &str = "shuangsuiji-data";

/// The data directory used when none is given: `shuangsuiji-data` in the SQLite file's folder
/// (so the key follows the database whatever the working directory); for a PostgreSQL URL,
/// which names no folder, `./shuangsuiji-data` in the working directory.
pub fn default_data_dir(database: &str) -> PathBuf {
    if database.starts_with("postgres://") || database.starts_with("postgresql://") {
        return PathBuf::from(".").join(DATA_DIR_NAME);
    }
    let path = Path::new(database.strip_prefix("sqlite://").unwrap_or(database));
    match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => dir.join(DATA_DIR_NAME),
        None => PathBuf::from(".").join(DATA_DIR_NAME),
    }
}

/// The key for a store whose newest checkpoint is `latest`. A store with checkpoints never gets
/// a new key (every older checkpoint would then fail): a missing key, or one that did not sign
/// `latest`, is refused. Only a store without checkpoints may have its key created.
pub fn load_for(data_dir: &Path, latest: Option<&Checkpoint>) -> AppResult<SigningKey> {
    let path = data_dir.join(KEY_FILE);
    let Some(latest) = latest else {
        return load_or_create(data_dir);
    };
    if !path.exists() {
        return Err(AppError::new(
            ErrorKind::Internal,
            "SIGNING_KEY_MISSING",
            format!(
                "找不到审计签名密钥 {}：本数据库已有签名的审计检查点，不能换用新密钥。请从备份恢复该密钥文件，或用 --data-dir（环境变量 SHUANGSUIJI_DATA_DIR）指定存放它的目录",
                path.display()
            ),
        ));
    }
    let key = load_or_create(data_dir)?;
    if let Err(why) = check_signature(latest, &key.verifying_key().to_bytes()) {
        return Err(AppError::new(
            ErrorKind::Internal,
            "SIGNING_KEY_MISMATCH",
            format!(
                "审计签名密钥 {} 与本数据库最新的审计检查点不符（{why}）：请从备份恢复签发这些检查点的密钥文件，或用 --data-dir（环境变量 SHUANGSUIJI_DATA_DIR）指定存放它的目录",
                path.display()
            ),
        ));
    }
    Ok(key)
}

/// Reads the key, or makes one if the file is missing; callers with a store use [`load_for`].
pub fn load_or_create(data_dir: &Path) -> AppResult<SigningKey> {
    let path = data_dir.join(KEY_FILE);
    let fail = |what: &str, e: std::io::Error| {
        AppError::internal(format!("{what}审计签名密钥 {} 失败：{e}", path.display()))
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let bytes: [u8; 32] = hex::decode(text.trim())
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| {
                    AppError::internal(format!("审计签名密钥 {} 格式无效", path.display()))
                })?;
            Ok(SigningKey::from_bytes(&bytes))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(data_dir).map_err(|e| fail("创建目录保存", e))?;
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed)
                .map_err(|e| AppError::internal(format!("无法取得随机数：{e}")))?;
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
            let mut f = opts.open(&path).map_err(|e| fail("写入", e))?;
            f.write_all(hex::encode(seed).as_bytes())
                .map_err(|e| fail("写入", e))?;
            f.sync_all().map_err(|e| fail("写入", e))?;
            tracing::info!(path = %path.display(), "generated a new audit signing key");
            Ok(SigningKey::from_bytes(&seed))
        }
        Err(e) => Err(fail("读取", e)),
    }
}

/// Puts `new` in place of the key in `data_dir`, keeping the old one beside it as
/// `audit-signing.key.retired-<its public key's first 16 hex digits>` (a key rotation).
pub fn install(data_dir: &Path, new: &SigningKey) -> AppResult<()> {
    let path = data_dir.join(KEY_FILE);
    let fail = |what: &str, p: &Path, e: std::io::Error| {
        AppError::internal(format!("{what}审计签名密钥 {} 失败：{e}", p.display()))
    };
    let old = load_or_create(data_dir)?;
    let retired = data_dir.join(format!(
        "{KEY_FILE}.retired-{}",
        &hex::encode(old.verifying_key().to_bytes())[..16]
    ));
    let fresh = data_dir.join(format!("{KEY_FILE}.new"));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(&fresh).map_err(|e| fail("写入", &fresh, e))?;
    f.write_all(hex::encode(new.to_bytes()).as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| fail("写入", &fresh, e))?;
    std::fs::copy(&path, &retired).map_err(|e| fail("备份", &retired, e))?;
    std::fs::rename(&fresh, &path).map_err(|e| fail("替换", &path, e))?;
    tracing::info!(retired = %retired.display(), "rotated the audit signing key");
    Ok(())
}

/// 32 random bytes, hex: session tokens, CSRF tokens, generated passwords.
pub fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b).expect("the OS random source is available");
    hex::encode(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::checkpoint_message;
    use ed25519_dalek::Signer;

    fn signed_by(key: &SigningKey) -> Checkpoint {
        let root = [7u8; 32];
        let msg = checkpoint_message("sha256", 3, &root, 1_000);
        Checkpoint {
            tree_size: 3,
            root,
            at_ms: 1_000,
            hash_alg: "sha256".into(),
            public_key: key.verifying_key().to_bytes().to_vec(),
            signature: key.sign(msg.as_bytes()).to_bytes().to_vec(),
        }
    }

    #[test]
    fn the_default_data_dir_sits_beside_the_sqlite_file() {
        let d = |db: &str| default_data_dir(db);
        assert_eq!(d("/x/y.db"), Path::new("/x/shuangsuiji-data"));
        assert_eq!(d("sqlite:///x/y.db"), Path::new("/x/shuangsuiji-data"));
        assert_eq!(d("rel/y.db"), Path::new("rel/shuangsuiji-data"));
        assert_eq!(d("y.db"), Path::new("./shuangsuiji-data"));
        assert_eq!(d("postgres://h/db"), Path::new("./shuangsuiji-data"));
        assert_eq!(d("postgresql://h/db"), Path::new("./shuangsuiji-data"));
    }

    #[test]
    fn keys_only_a_database_without_checkpoints_gets_a_new_one() {
        let dir = tempfile::tempdir().unwrap();
        let made = load_for(dir.path(), None).unwrap();
        let c = signed_by(&made);
        // The same key again, now that a checkpoint exists.
        assert_eq!(load_for(dir.path(), Some(&c)).unwrap(), made);

        let empty = tempfile::tempdir().unwrap();
        let e = load_for(empty.path(), Some(&c)).unwrap_err();
        assert_eq!(e.code, "SIGNING_KEY_MISSING");
        let path = empty.path().join(KEY_FILE);
        assert!(e.message.contains(&path.display().to_string()), "{e}");
        assert!(!path.exists(), "no key is made for a signed database");

        let other = tempfile::tempdir().unwrap();
        load_for(other.path(), None).unwrap();
        let e = load_for(other.path(), Some(&c)).unwrap_err();
        assert_eq!(e.code, "SIGNING_KEY_MISMATCH");
        assert!(
            e.message
                .contains(&other.path().join(KEY_FILE).display().to_string())
        );

        // A checkpoint naming the right key but with a broken signature is refused too.
        let mut forged = c.clone();
        forged.signature[0] ^= 1;
        let e = load_for(dir.path(), Some(&forged)).unwrap_err();
        assert_eq!(e.code, "SIGNING_KEY_MISMATCH");
    }
}
