//! SSJ-DRAW/1, the public double-random draw (docs/draw-v1.md): canonical frozen files and their
//! digests, the seed from commitments and reveals, tickets, exact-integer sample sizes, selection
//! and reserves, officer teams with quotas, conflicts, load cap and leader, both kinds of 递补,
//! and the export folder with its verifier.
//!
//! Pure: no I/O, no async, no library PRNG — every random choice is a SHA-256 of published
//! inputs, so anyone can recompute a draw with nothing else.

pub mod build;
pub mod current;
pub mod draw;
pub mod error;
pub mod files;
pub mod hash;
pub mod lookup;
pub mod manifest;
pub mod manifest_read;
pub mod parallel;
pub mod ratio;
pub mod seed;
pub mod select;
pub mod substitute;
pub mod teams;
pub mod verify;

pub use build::{CandidateRows, build_candidates_file};
pub use current::{CurrentSlot, current_list};
pub use draw::{DrawInput, DrawOutcome, OfficerInput, OfficerOutcome, export_folder, run};
pub use error::DrawError;
pub use files::{CandidateSet, Conflict, Officer, candidates_file, conflicts_file, officers_file};
pub use manifest::{ALGORITHM, Manifest, TeamManifest};
pub use ratio::Ratio;
pub use seed::{Seed, check_reveals, commitment, derive_seed};
pub use select::{Pick, Rules, Selection, StratumOutcome, StratumRule, select, ticket};
pub use substitute::{DrawState, Kind, Substitution};
pub use teams::{Roster, Team, TeamSpec, oticket};
pub use verify::{Verified, VerifyError, verify};
