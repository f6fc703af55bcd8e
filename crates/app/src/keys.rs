//! The Ed25519 key that signs audit checkpoints: made at first start, kept in the data directory.

use crate::{AppError, AppResult};
use ed25519_dalek::SigningKey;
use std::io::Write;
use std::path::Path;

pub const KEY_FILE: &str = "audit-signing.key";

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

/// 32 random bytes, hex: session tokens, CSRF tokens, generated passwords.
pub fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b).expect("the OS random source is available");
    hex::encode(b)
}
