//! Files held between an import's preview and its confirmation. Kept in memory for 30 minutes:
//! after a restart the user uploads again (nothing was written by the preview).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const KEEP: Duration = Duration::from_secs(30 * 60);
const MAX_FILES: usize = 32;

pub struct Upload {
    pub user_id: i64,
    /// The list the file was previewed as: a token is confirmed only as that list.
    pub kind: &'static str,
    pub file_name: String,
    pub bytes: Vec<u8>,
    at: Instant,
}

#[derive(Default)]
pub struct Uploads {
    files: Mutex<HashMap<String, Upload>>,
}

impl Uploads {
    /// Keeps a file previewed by `user_id` as list `kind`; returns the token that names it.
    pub fn put(
        &self,
        user_id: i64,
        kind: &'static str,
        file_name: String,
        bytes: Vec<u8>,
    ) -> String {
        let token = ssj_app::keys::random_hex(16);
        let mut files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        files.retain(|_, u| u.at.elapsed() < KEEP);
        while files.len() >= MAX_FILES {
            let oldest = files
                .iter()
                .min_by_key(|(_, u)| u.at)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => files.remove(&k),
                None => break,
            };
        }
        files.insert(
            token.clone(),
            Upload {
                user_id,
                kind,
                file_name,
                bytes,
                at: Instant::now(),
            },
        );
        token
    }

    /// The file behind `token`, if this user previewed it as list `kind` and it is still kept.
    pub fn get(&self, user_id: i64, kind: &str, token: &str) -> Option<(String, Vec<u8>)> {
        let files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        files
            .get(token)
            .filter(|u| u.user_id == user_id && u.kind == kind && u.at.elapsed() < KEEP)
            .map(|u| (u.file_name.clone(), u.bytes.clone()))
    }

    pub fn remove(&self, token: &str) {
        self.files
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(token);
    }
}
