//! Sharded runs: the K-th of N equal parts of a run's chunks, saved as a
//! versioned partial state that `capsim merge` combines into outputs
//! byte-identical to a single run with the same seed and trials.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::ExportError;
use crate::export::{sha256_hex, write_atomically};
use crate::runner::{RunConfig, RunState};

/// Identifies the file format; checked before anything else is read.
const MAGIC: &str = "capsim-shard-state";
/// Bumped whenever the state's layout or meaning changes. Version 5 added
/// the SHA-256 trailer, version 6 the year table.
pub(crate) const STATE_FORMAT_VERSION: u32 = 8;
/// Length of the trailer: SHA-256 of every byte before it.
const CHECKSUM_BYTES: usize = 32;

/// The K-th (1-based) of N parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Which part, 1 to `count`.
    pub index: u64,
    /// How many parts.
    pub count: u64,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("expected K/N such as 2/4, got {s:?}"))?;
        let parse = |x: &str| {
            x.trim()
                .parse::<u64>()
                .map_err(|_| format!("expected K/N such as 2/4, got {s:?}"))
        };
        let (index, count) = (parse(k)?, parse(n)?);
        if count == 0 || index == 0 || index > count {
            return Err(format!("K must be between 1 and N in K/N, got {s:?}"));
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// The chunks of a run with `chunks` chunks that this part covers. Parts
    /// differ in size by at most one chunk; some may be empty if N exceeds
    /// the number of chunks.
    pub fn chunks(&self, chunks: u64) -> std::ops::Range<u64> {
        let k = self.index - 1;
        let split = |i: u64| ((i as u128 * chunks as u128) / self.count as u128) as u64;
        split(k)..split(k + 1)
    }
}

/// Everything a shard saves: its state and what it must be merged with.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StateFile {
    magic: String,
    /// Format version of this file.
    pub format_version: u32,
    /// capsim version that wrote it.
    pub capsim_version: String,
    /// Scenario path as given when the shard ran.
    pub scenario_path: String,
    /// SHA-256 of the scenario file, hex.
    pub scenario_sha256: String,
    /// The scenario text itself, so that merging needs no other file.
    pub scenario_text: String,
    /// Percentiles to report, in percent.
    pub percentiles: Vec<f64>,
    /// Which part this is.
    pub shard: Shard,
    /// The accumulated state.
    pub state: RunState,
}

/// A state file that cannot be read or merged.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The file could not be read.
    #[error("{}: cannot read state file: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Not a state file at all (no state file header).
    #[error("{}: not a capsim state file", path.display())]
    NotState {
        /// The file.
        path: PathBuf,
    },
    /// A state file that was damaged after it was written.
    #[error("{}: is corrupt ({why}); rerun its shard", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What does not hold.
        why: &'static str,
    },
    /// Written by another format version.
    #[error("{}: state format version {found} (capsim {version}); this capsim reads version {STATE_FORMAT_VERSION}: rerun the shard with this capsim", path.display())]
    Version {
        /// The file.
        path: PathBuf,
        /// Its format version.
        found: u32,
        /// The capsim that wrote it.
        version: String,
    },
    /// States that do not belong to one run.
    #[error("cannot merge {}: {why}", path.display())]
    Mismatch {
        /// The offending file.
        path: PathBuf,
        /// What differs.
        why: String,
    },
    /// The shards do not cover the run exactly once.
    #[error("cannot merge: {0}")]
    Coverage(String),
}

/// Whether the file at `path` starts as a capsim state file does (its
/// magic), read from its first bytes only: what may be overwritten by a
/// shard's `--state`.
pub fn is_state_file(path: &Path) -> std::io::Result<bool> {
    use std::io::Read;
    // postcard writes a string as its length (one byte below 128) and bytes.
    let mut want = vec![MAGIC.len() as u8];
    want.extend_from_slice(MAGIC.as_bytes());
    let mut head = Vec::with_capacity(want.len());
    std::fs::File::open(path)?
        .take(want.len() as u64)
        .read_to_end(&mut head)?;
    Ok(head == want)
}

impl StateFile {
    /// A state file for `state`, the result of running `shard`.
    pub fn new(
        scenario_path: &Path,
        scenario_text: &str,
        scenario_sha256: &str,
        config: &RunConfig,
        shard: Shard,
        state: RunState,
    ) -> StateFile {
        StateFile {
            magic: MAGIC.to_string(),
            format_version: STATE_FORMAT_VERSION,
            capsim_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario_path: scenario_path.display().to_string(),
            scenario_sha256: scenario_sha256.to_string(),
            scenario_text: scenario_text.to_string(),
            percentiles: config.percentiles.clone(),
            shard,
            state,
        }
    }

    /// Writes the file atomically.
    pub fn write(&self, path: &Path) -> Result<(), ExportError> {
        let mut bytes = postcard::to_stdvec(self).map_err(|e| ExportError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(e.to_string()),
        })?;
        let sum = Sha256::digest(&bytes);
        bytes.extend_from_slice(&sum);
        write_atomically(path, |out| out.write_all(&bytes))
    }

    /// Reads and checks a state file: its header (magic and format
    /// version), its SHA-256 trailer, that it decodes to exactly its
    /// length, and that its scenario text matches the scenario's recorded
    /// hash. Any failure is an error naming the file, never a panic.
    pub fn read(path: &Path) -> Result<StateFile, StateError> {
        let bytes = crate::file::read_state(path).map_err(|source| StateError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        StateFile::decode(path, &bytes)
    }

    /// [`StateFile::read`] on the file's bytes; `path` is for messages.
    pub fn decode(path: &Path, bytes: &[u8]) -> Result<StateFile, StateError> {
        // The header (magic, version, capsim version) decodes on its own, so
        // a file from another version gets a clear message.
        #[derive(Deserialize)]
        struct Header {
            _magic: String,
            format_version: u32,
            capsim_version: String,
        }
        let not_state = || StateError::NotState {
            path: path.to_path_buf(),
        };
        let corrupt = |why| StateError::Corrupt {
            path: path.to_path_buf(),
            why,
        };
        // The magic alone first: a file that does not start with it is not a
        // state file, whatever follows.
        let (magic, _) = postcard::take_from_bytes::<String>(bytes).map_err(|_| not_state())?;
        if magic != MAGIC {
            return Err(not_state());
        }
        let (header, _) =
            postcard::take_from_bytes::<Header>(bytes).map_err(|_| corrupt("truncated header"))?;
        if header.format_version != STATE_FORMAT_VERSION {
            return Err(StateError::Version {
                path: path.to_path_buf(),
                found: header.format_version,
                version: header.capsim_version,
            });
        }
        let Some(body_len) = bytes.len().checked_sub(CHECKSUM_BYTES) else {
            return Err(corrupt("truncated"));
        };
        let (body, sum) = bytes.split_at(body_len);
        if Sha256::digest(body).as_slice() != sum {
            return Err(corrupt("checksum mismatch"));
        }
        let (file, rest) = postcard::take_from_bytes::<StateFile>(body)
            .map_err(|_| corrupt("its contents cannot be decoded"))?;
        if !rest.is_empty() {
            return Err(corrupt("bytes after its contents"));
        }
        if sha256_hex(file.scenario_text.as_bytes()) != file.scenario_sha256 {
            return Err(corrupt("its scenario text does not match its SHA-256"));
        }
        Ok(file)
    }
}

/// SHA-256 of `bytes`, hex.
/// Merges the states of all N shards of one run (in any order) into one
/// complete state. Refuses states of different scenarios, seeds, trial
/// counts, percentiles or capsim versions, and shard sets with gaps or repeats.
pub fn merge(mut files: Vec<(PathBuf, StateFile)>) -> Result<StateFile, StateError> {
    let Some((first_path, first)) = files.first() else {
        return Err(StateError::Coverage("no state files given".into()));
    };
    let (first_path, first) = (first_path.clone(), first.clone_header());
    for (path, f) in &files {
        let mismatch = |why: String| StateError::Mismatch {
            path: path.clone(),
            why,
        };
        if f.capsim_version != first.capsim_version {
            return Err(mismatch(format!(
                "written by capsim {} but {} was written by capsim {}",
                f.capsim_version,
                first_path.display(),
                first.capsim_version
            )));
        }
        if f.scenario_sha256 != first.scenario_sha256 {
            return Err(mismatch(format!(
                "it is a run of {} (sha256 {}), not of {} (sha256 {})",
                f.scenario_path,
                &f.scenario_sha256[..12.min(f.scenario_sha256.len())],
                first.scenario_path,
                &first.scenario_sha256[..12.min(first.scenario_sha256.len())]
            )));
        }
        if f.state.seed != first.state.seed || f.state.trials != first.state.trials {
            return Err(mismatch(format!(
                "it has seed {} and {} trials, but {} has seed {} and {} trials",
                f.state.seed,
                f.state.trials,
                first_path.display(),
                first.state.seed,
                first.state.trials
            )));
        }
        if f.percentiles != first.percentiles {
            return Err(mismatch("it reports different percentiles".into()));
        }
        if f.shard.count != first.shard.count {
            return Err(mismatch(format!(
                "it is shard {} but {} is shard {}",
                f.shard,
                first_path.display(),
                first.shard
            )));
        }
    }
    files.sort_by_key(|(_, f)| f.shard.index);
    let count = first.shard.count;
    for (i, (path, f)) in files.iter().enumerate() {
        if f.shard.index != i as u64 + 1 {
            let which = if (f.shard.index as usize) <= i {
                format!("shard {} is given twice ({})", f.shard, path.display())
            } else {
                format!("shard {}/{count} is missing", i + 1)
            };
            return Err(StateError::Coverage(which));
        }
    }
    if files.len() as u64 != count {
        return Err(StateError::Coverage(format!(
            "shard {}/{count} is missing",
            files.len() + 1
        )));
    }
    let mut iter = files.into_iter();
    let (_, mut merged) = iter.next().expect("at least one file");
    for (path, f) in iter {
        merged
            .state
            .absorb(f.state)
            .map_err(|e| StateError::Mismatch {
                path,
                why: e.to_string(),
            })?;
    }
    if !merged.state.is_complete() {
        return Err(StateError::Coverage(
            "the shards do not cover every trial".into(),
        ));
    }
    Ok(merged)
}

impl StateFile {
    /// A copy without the (large) accumulated state, for comparisons.
    fn clone_header(&self) -> StateFile {
        StateFile {
            magic: self.magic.clone(),
            format_version: self.format_version,
            capsim_version: self.capsim_version.clone(),
            scenario_path: self.scenario_path.clone(),
            scenario_sha256: self.scenario_sha256.clone(),
            scenario_text: String::new(),
            percentiles: self.percentiles.clone(),
            shard: self.shard,
            state: RunState {
                trials: self.state.trials,
                seed: self.state.seed,
                method: self.state.method,
                exact: self.state.exact,
                chunks: self.state.chunks.clone(),
                series: Vec::new(),
                outcomes: Vec::new(),
                period: self.state.period,
                period_series: Vec::new(),
                years: self.state.years,
                year_table: Vec::new(),
                pilot: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_files_are_told_by_their_magic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.state");
        let state = postcard::to_stdvec(&(MAGIC.to_string(), STATE_FORMAT_VERSION)).unwrap();
        std::fs::write(&path, state).unwrap();
        assert!(is_state_file(&path).unwrap());
        for other in [
            &b""[..],
            b"[scenario]\nname = \"x\"\n",
            b"\x12capsim-shard-stat",
        ] {
            std::fs::write(&path, other).unwrap();
            assert!(!is_state_file(&path).unwrap());
        }
    }

    #[test]
    fn parses_k_of_n() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { index: 2, count: 4 }));
        for bad in ["0/4", "5/4", "1/0", "x/4", "2", "2/4/1", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn shards_partition_the_chunks() {
        for chunks in [0u64, 1, 3, 10, 977] {
            for count in 1..=7 {
                let mut next = 0;
                for index in 1..=count {
                    let r = Shard { index, count }.chunks(chunks);
                    assert_eq!(r.start, next);
                    next = r.end;
                }
                assert_eq!(next, chunks);
            }
        }
    }
}
