//! A whole draw from its frozen files and its reveals: seed, selection, teams, and what the
//! export folder says of them.

use std::collections::BTreeMap;

use crate::error::DrawError;
use crate::files::{
    CANDIDATES, CONFLICTS, CandidateSet, Conflict, OFFICERS, Officer, SUBSTITUTIONS_FILE,
    parse_conflicts, parse_officers,
};
use crate::hash::sha256_hex;
use crate::manifest::{ALGORITHM, MANIFEST, Manifest, RESULT, TeamManifest};
use crate::seed::{Seed, check_reveals, derive_seed};
use crate::select::{Rules, Selection, select};
use crate::substitute::Substitution;
use crate::teams::{Roster, Team, TeamSpec, assign};

/// The officer side of a draw: the frozen pool and conflict files and the team spec.
pub struct OfficerInput<'a> {
    pub pool_file: &'a [u8],
    pub conflicts_file: &'a [u8],
    pub team: TeamSpec,
}

pub struct DrawInput<'a> {
    pub task_id: &'a str,
    pub candidates_file: &'a [u8],
    pub rules: &'a Rules,
    pub commitments: &'a [String],
    pub reveals: &'a [String],
    pub officers: Option<OfficerInput<'a>>,
}

pub struct OfficerOutcome {
    pub pool: Vec<Officer>,
    pub conflicts: Vec<Conflict>,
    pub spec: TeamSpec,
    pub teams: Vec<Team>,
}

pub struct DrawOutcome<'a> {
    pub candidates: CandidateSet<'a>,
    pub seed: Seed,
    pub selection: Selection,
    pub officers: Option<OfficerOutcome>,
    pub manifest: Manifest,
}

impl DrawOutcome<'_> {
    /// The export folder (spec §5): file name → exact bytes.
    pub fn export_files(
        &self,
        input: &DrawInput,
        substitutions: &[Substitution],
    ) -> BTreeMap<String, Vec<u8>> {
        let officers = input
            .officers
            .as_ref()
            .map(|o| (o.pool_file, o.conflicts_file));
        export_folder(
            &self.manifest,
            input.candidates_file,
            officers,
            self.result_csv(),
            substitutions,
        )
    }

    /// The roster of the drawn officers, for substitutions.
    pub fn roster(&self) -> Option<Roster<'_>> {
        let o = self.officers.as_ref()?;
        Some(
            Roster::new(&o.pool, &o.conflicts, &o.spec).expect("checked when the teams were drawn"),
        )
    }

    /// `result.csv`: `rank,key,stratum,ticket,officers,leader`, one line per selected object.
    pub fn result_csv(&self) -> Vec<u8> {
        let mut out = b"rank,key,stratum,ticket,officers,leader\n".to_vec();
        for (i, pick) in self.selection.selected.iter().enumerate() {
            let (officers, leader) = match &self.officers {
                Some(o) => {
                    let team = &o.teams[i];
                    let ids: Vec<&str> = team
                        .members
                        .iter()
                        .map(|&m| o.pool[m].id.as_str())
                        .collect();
                    (ids.join(";"), o.pool[team.leader].id.clone())
                }
                None => (String::new(), String::new()),
            };
            let line = format!(
                "{},{},{},{},{},{}\n",
                i + 1,
                self.candidates.key(pick.candidate),
                self.selection.strata[pick.stratum].label,
                hex::encode(pick.ticket),
                officers,
                leader
            );
            out.extend_from_slice(line.as_bytes());
        }
        out
    }
}

/// An export folder from the parts a platform keeps: the manifest, the frozen files, the
/// result and the substitutions since (the manifest gains their digest).
pub fn export_folder(
    manifest: &Manifest,
    candidates: &[u8],
    officers: Option<(&[u8], &[u8])>,
    result: Vec<u8>,
    substitutions: &[Substitution],
) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut manifest = manifest.clone();
    manifest.substitutions_digest = None;
    if !substitutions.is_empty() {
        let bytes = crate::substitute::render(substitutions);
        manifest.substitutions_digest = Some(sha256_hex(&bytes));
        files.insert(SUBSTITUTIONS_FILE.to_string(), bytes);
    }
    files.insert(MANIFEST.to_string(), manifest.render());
    files.insert(CANDIDATES.to_string(), candidates.to_vec());
    if let Some((pool, conflicts)) = officers {
        files.insert(OFFICERS.to_string(), pool.to_vec());
        files.insert(CONFLICTS.to_string(), conflicts.to_vec());
    }
    files.insert(RESULT.to_string(), result);
    files
}

pub fn run<'a>(input: &DrawInput<'a>) -> Result<DrawOutcome<'a>, DrawError> {
    check_reveals(input.commitments, input.reveals)?;
    let candidates = CandidateSet::parse(input.candidates_file)?;
    let candidate_digest = sha256_hex(input.candidates_file);
    let seed = derive_seed(input.task_id, &candidate_digest, input.reveals);
    let selection = select(&seed, &candidates, input.rules)?;
    let (officers, team_manifest) = match &input.officers {
        None => (None, None),
        Some(o) => {
            let pool = parse_officers(o.pool_file)?;
            let conflicts = parse_conflicts(o.conflicts_file)?;
            let roster = Roster::new(&pool, &conflicts, &o.team)?;
            let keys: Vec<&str> = selection
                .selected
                .iter()
                .map(|p| candidates.key(p.candidate))
                .collect();
            let (cap, teams) = assign(&seed, &keys, &roster)?;
            let manifest = TeamManifest {
                team: o.team.clone(),
                officer_pool_digest: sha256_hex(o.pool_file),
                conflicts_digest: sha256_hex(o.conflicts_file),
                officer_cap: cap,
            };
            drop(roster);
            (
                Some(OfficerOutcome {
                    pool,
                    conflicts,
                    spec: o.team.clone(),
                    teams,
                }),
                Some(manifest),
            )
        }
    };
    let manifest = Manifest {
        algorithm: ALGORITHM.to_string(),
        task_id: input.task_id.to_string(),
        candidate_digest,
        commitments: input.commitments.to_vec(),
        reveals: input.reveals.to_vec(),
        seed: seed.hex(),
        strata: selection.strata.clone(),
        officers: team_manifest,
        substitutions_digest: None,
    };
    Ok(DrawOutcome {
        candidates,
        seed,
        selection,
        officers,
        manifest,
    })
}
