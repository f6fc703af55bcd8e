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
        let selected = &self.selection.selected;
        let mut out = Vec::with_capacity(64 + selected.len() * 100);
        out.extend_from_slice(b"rank,key,stratum,ticket,officers,leader\n");
        let mut ticket = [0u8; 64];
        for (i, pick) in selected.iter().enumerate() {
            out.extend_from_slice((i + 1).to_string().as_bytes());
            out.push(b',');
            out.extend_from_slice(self.candidates.key(pick.candidate).as_bytes());
            out.push(b',');
            out.extend_from_slice(self.selection.strata[pick.stratum].label.as_bytes());
            out.push(b',');
            hex::encode_to_slice(pick.ticket, &mut ticket).expect("64 hex digits");
            out.extend_from_slice(&ticket);
            out.push(b',');
            if let Some(o) = &self.officers {
                let team = &o.teams[i];
                for (n, &m) in team.members.iter().enumerate() {
                    if n > 0 {
                        out.push(b';');
                    }
                    out.extend_from_slice(o.pool[m].id.as_bytes());
                }
                out.push(b',');
                out.extend_from_slice(o.pool[team.leader].id.as_bytes());
            } else {
                out.push(b',');
            }
            out.push(b'\n');
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
    // The digest on a core of its own while the file is parsed.
    let (candidates, candidate_digest) = std::thread::scope(|scope| {
        let digest = scope.spawn(|| sha256_hex(input.candidates_file));
        let parsed = CandidateSet::parse(input.candidates_file);
        (parsed, digest.join().expect("the digest thread panicked"))
    });
    let candidates = candidates?;
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
