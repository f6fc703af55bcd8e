//! `manifest.json` (spec §5), written one stable way (two-space indented, keys in the spec's
//! order, a final LF) so that an export's digest is stable. Verifiers read it by value
//! ([`crate::manifest_read`]), never by its bytes.

use serde::{Deserialize, Serialize};

use crate::select::StratumOutcome;
use crate::teams::TeamSpec;

pub const ALGORITHM: &str = "SSJ-DRAW/1";
pub const MANIFEST: &str = "manifest.json";
pub const RESULT: &str = "result.csv";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub algorithm: String,
    pub task_id: String,
    pub candidate_digest: String,
    pub commitments: Vec<String>,
    pub reveals: Vec<String>,
    pub seed: String,
    pub strata: Vec<StratumOutcome>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub officers: Option<TeamManifest>,
    /// SHA-256 of `substitutions.csv`, present once a draw has any 递补. Not in the spec's list:
    /// without it a changed reason or date in that file could not be detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substitutions_digest: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamManifest {
    pub team: TeamSpec,
    pub officer_pool_digest: String,
    pub conflicts_digest: String,
    pub officer_cap: u64,
}

impl Manifest {
    pub fn render(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).expect("a manifest always serializes");
        out.push(b'\n');
        out
    }
}
