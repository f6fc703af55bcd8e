//! Reads a directory file on a thread of its own: parsing, checking and hashing a million rows
//! runs beside the database's inserts instead of before each batch of them.

use super::import::to_object;
use super::snapshot_into;
use crate::imports::import_error;
use crate::{AppError, AppResult};
use sha2::{Digest, Sha256};
use ssj_import::objects::{OBJECT_FIELDS, ObjectSource};
use ssj_import::{Fold, ImportError, Reject};
use ssj_storage::Object;
use std::collections::HashSet;
use std::sync::Arc;
use std::thread::JoinHandle;

/// One batch of the file, in file order.
pub(crate) struct Batch {
    pub objects: Vec<Object>,
    pub rejects: Vec<Reject>,
    /// Cells of `objects` taken in their standard form.
    pub folds: Vec<Fold>,
    /// SHA-256 over the snapshots of `objects`, one line each: the commitment of the batch's
    /// audit record when every object in it is new.
    pub digest: [u8; 32],
}

enum Message {
    Batch(Batch),
    Failed(ImportError),
    /// The file is read; its SHA-256.
    End([u8; 32]),
}

pub(crate) struct Reader {
    /// The keys of the columns the file has (a column it lacks keeps stored values).
    pub columns: HashSet<&'static str>,
    rx: tokio::sync::mpsc::Receiver<Message>,
    thread: Option<JoinHandle<()>>,
    file_sha256: Option<[u8; 32]>,
}

impl Reader {
    /// Starts reading; fails at once if the file is not a directory the importer knows.
    pub async fn open(
        bytes: Arc<Vec<u8>>,
        take_flagged: bool,
        now: i64,
        batch_rows: usize,
    ) -> AppResult<Reader> {
        // A few batches ahead at most: memory stays flat whatever the file's size.
        let (tx, rx) = tokio::sync::mpsc::channel(3);
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("object-reader".into())
            .spawn(move || {
                let mut source = match ObjectSource::open(&bytes, take_flagged) {
                    Ok(s) => s,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let columns = OBJECT_FIELDS
                    .iter()
                    .map(|f| f.key)
                    .filter(|k| source.has_column(k))
                    .collect();
                if ready_tx.send(Ok(columns)).is_err() {
                    return;
                }
                loop {
                    let rows = match source.next_batch(batch_rows) {
                        Ok(rows) if rows.is_empty() => break,
                        Ok(rows) => rows,
                        Err(e) => {
                            let _ = tx.blocking_send(Message::Failed(e));
                            return;
                        }
                    };
                    let mut batch = Batch {
                        objects: Vec::with_capacity(rows.len()),
                        rejects: Vec::new(),
                        folds: Vec::new(),
                        digest: [0; 32],
                    };
                    let mut digest = Sha256::new();
                    for row in rows {
                        // The folds are moved out, not copied: this runs for every row.
                        let taken = row.and_then(|mut r| {
                            let folds = std::mem::take(&mut r.folds);
                            to_object(r, now).map(|o| (o, folds))
                        });
                        match taken {
                            Ok((o, folds)) => {
                                batch.folds.extend(folds);
                                snapshot_into(&mut digest, &o);
                                batch.objects.push(o);
                            }
                            Err(reject) => batch.rejects.push(reject),
                        }
                    }
                    batch.digest = digest.finalize().into();
                    if tx.blocking_send(Message::Batch(batch)).is_err() {
                        return; // the importer has stopped
                    }
                }
                let _ = tx.blocking_send(Message::End(Sha256::digest(&bytes[..]).into()));
            })
            .map_err(|e| AppError::internal(format!("无法启动读取线程：{e}")))?;
        let columns = match ready_rx.await {
            Ok(columns) => columns.map_err(import_error)?,
            Err(_) => return Err(Self::died(Some(thread))),
        };
        Ok(Reader {
            columns,
            rx,
            thread: Some(thread),
            file_sha256: None,
        })
    }

    /// The next batch, or `None` once the whole file has been read.
    pub async fn next(&mut self) -> AppResult<Option<Batch>> {
        match self.rx.recv().await {
            Some(Message::Batch(b)) => Ok(Some(b)),
            Some(Message::Failed(e)) => Err(import_error(e)),
            Some(Message::End(sha)) => {
                self.file_sha256 = Some(sha);
                Ok(None)
            }
            // The thread ended without saying the file was read: it panicked. A silent end
            // here would import half a file.
            None => Err(Self::died(self.thread.take())),
        }
    }

    /// The file's SHA-256, once [`Reader::next`] has returned `None`.
    pub fn file_sha256(&self) -> Option<[u8; 32]> {
        self.file_sha256
    }

    fn died(thread: Option<JoinHandle<()>>) -> AppError {
        if let Some(t) = thread {
            let _ = t.join();
        }
        AppError::internal("读取文件的线程意外终止，未导入任何数据")
    }
}
