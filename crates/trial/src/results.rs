//! The results folder: atomic file writes, `manifest.json`, shard specs and the merge of shard
//! outputs.
//!
//! Sharding: shard `i/N` holds the patients whose id satisfies `id % N == i` (round-robin, not
//! contiguous ranges), so expensive patients are spread evenly and a shard's share does not
//! depend on the total count. Outputs of shards are merged by patient id, never by completion
//! order, so the merged output is byte-identical to an unsharded run.

use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;
use thiserror::Error;

/// Writes `bytes` to `path` atomically: first to a temporary file in the same folder (hidden,
/// named after the target and the process id), flushed to disk, then renamed over `path`. A
/// crash leaves at most a stray temporary file, never a half-written `path`; files already
/// written are untouched.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomically_with(path, |w| w.write_all(bytes))
}

/// Like [`write_atomically`], with the content streamed by `write` into a buffered writer on
/// the temporary file (a large dataset is never held whole in memory as text).
pub fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    /// Write buffer of the temporary file.
    const BUFFER_BYTES: usize = 1 << 20;
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other(format!("{} is not a file path", path.display())))?
        .to_string_lossy();
    let temporary = folder.join(format!(".{file_name}.tmp-{}", std::process::id()));
    let result = (|| {
        let file = std::fs::File::create(&temporary)?;
        let mut writer = std::io::BufWriter::with_capacity(BUFFER_BYTES, file);
        write(&mut writer)?;
        let file = writer.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if result.is_err() {
        // Best effort: do not leave the temporary file behind; the original error is reported.
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

/// A results folder being filled: datasets go in as `name.csv` with its label sidecar
/// `name.labels.csv` (and `name.parquet`, labels inside, with the `parquet` feature), each
/// written atomically, so files already written survive a later
/// failure and no half-written file ever carries a final name.
#[derive(Debug, Clone)]
pub struct ResultsFolder {
    path: std::path::PathBuf,
}

impl ResultsFolder {
    /// Creates the folder (and its parents) if needed.
    pub fn create(path: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(path)?;
        Ok(Self {
            path: path.to_owned(),
        })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `dataset` as `name.csv`, `name.labels.csv` and, with the `parquet` feature,
    /// `name.parquet` (`name`: the dataset name in lower case, e.g. `adsl.csv`); returns the
    /// paths written, in that order.
    pub fn write_dataset(
        &self,
        dataset: &crate::datasets::Dataset,
    ) -> Result<Vec<std::path::PathBuf>, crate::datasets::DatasetError> {
        let stem = dataset.name().to_lowercase();
        let csv = self.path.join(format!("{stem}.csv"));
        let labels = self.path.join(format!("{stem}.labels.csv"));
        write_atomically(&labels, &dataset.labels_csv_bytes()?).map_err(|source| {
            crate::datasets::DatasetError::Io {
                path: labels.clone(),
                source,
            }
        })?;
        #[cfg(not(feature = "parquet"))]
        let written = {
            dataset.write_csv(&csv)?;
            vec![csv, labels]
        };
        // The two carriers are encoded side by side (each is one pass over the columns).
        #[cfg(feature = "parquet")]
        let written = {
            let parquet = self.path.join(format!("{stem}.parquet"));
            let (csv_written, parquet_written) = rayon::join(
                || dataset.write_csv(&csv),
                || crate::datasets::parquet::write_parquet(dataset, &parquet),
            );
            csv_written?;
            parquet_written?;
            vec![csv, labels, parquet]
        };
        Ok(written)
    }

    /// Writes `manifest.json`.
    pub fn write_manifest(&self, manifest: &Manifest) -> std::io::Result<()> {
        manifest.write(&self.path)
    }
}

/// Errors of the results-folder helpers.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ResultsError {
    /// A `--shard` value that is not `i/N` with `0 ≤ i < N`.
    #[error("shard {given:?}: expected i/N with 0 <= i < N and N >= 1 (e.g. 0/4)")]
    BadShard {
        /// The text given.
        given: String,
    },
    /// The same patient id appears in two shard outputs.
    #[error("patient {id} appears in shard {first} and in shard {second}")]
    DuplicatePatient {
        /// Patient id.
        id: u64,
        /// First shard holding it.
        first: usize,
        /// Second shard holding it.
        second: usize,
    },
}

/// One shard of a run: patients with `id % count == index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardSpec {
    index: u64,
    count: u64,
}

impl ShardSpec {
    /// The whole run as one shard (0/1).
    pub const WHOLE: ShardSpec = ShardSpec { index: 0, count: 1 };

    /// A shard, checked: `count ≥ 1` and `index < count`.
    pub fn new(index: u64, count: u64) -> Option<Self> {
        (count >= 1 && index < count).then_some(Self { index, count })
    }

    /// Index of this shard (0-based).
    pub fn index(&self) -> u64 {
        self.index
    }

    /// Number of shards.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Whether patient `id` belongs to this shard.
    pub fn contains(&self, id: u64) -> bool {
        id % self.count == self.index
    }
}

impl std::str::FromStr for ShardSpec {
    type Err = ResultsError;

    /// Parses `i/N`, e.g. `0/4` … `3/4`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ResultsError::BadShard {
            given: s.to_owned(),
        };
        let (i, n) = s.trim().split_once('/').ok_or_else(bad)?;
        let index = i.trim().parse().map_err(|_| bad())?;
        let count = n.trim().parse().map_err(|_| bad())?;
        ShardSpec::new(index, count).ok_or_else(bad)
    }
}

impl std::fmt::Display for ShardSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Merges per-shard records into one list sorted by patient id. Records of one patient keep
/// their order within their shard (stable sort); a patient found in two shards is an error.
/// The result does not depend on the order in which shards finished.
pub fn merge_by_patient<T>(
    shards: Vec<Vec<T>>,
    patient_id: impl Fn(&T) -> u64,
) -> Result<Vec<T>, ResultsError> {
    let mut owner = std::collections::BTreeMap::<u64, usize>::new();
    for (shard, records) in shards.iter().enumerate() {
        for record in records {
            let id = patient_id(record);
            let first = *owner.entry(id).or_insert(shard);
            if first != shard {
                return Err(ResultsError::DuplicatePatient {
                    id,
                    first: first.min(shard),
                    second: first.max(shard),
                });
            }
        }
    }
    let mut all: Vec<T> = shards.into_iter().flatten().collect();
    all.sort_by_key(|r| patient_id(r));
    Ok(all)
}

/// `manifest.json`: what produced a results folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// immunotrial version (crate version).
    pub version: String,
    /// Git commit of the build, when known.
    pub git_hash: Option<String>,
    /// Master seed.
    pub seed: u64,
    /// Worker threads used.
    pub threads: usize,
    /// Wall time of the run in seconds.
    pub wall_time_s: f64,
    /// The command line, one argument per entry.
    pub command: Vec<String>,
    /// The shard this folder holds (index 0, count 1 for a whole run).
    pub shard: ShardInfo,
}

/// `manifest.json`'s `shard`: `{"index", "count"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInfo {
    /// Shard index, 0-based.
    pub index: u64,
    /// Shard count.
    pub count: u64,
}

impl Manifest {
    /// A manifest for this build and process: version from the crate, git hash from
    /// [`git_hash`], command line from the process arguments.
    pub fn for_this_run(seed: u64, threads: usize, wall_time_s: f64, shard: ShardSpec) -> Self {
        Self {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            git_hash: git_hash(),
            seed,
            threads,
            wall_time_s,
            command: std::env::args().collect(),
            shard: ShardInfo {
                index: shard.index(),
                count: shard.count(),
            },
        }
    }

    /// Writes the manifest as pretty JSON to `folder/manifest.json`, atomically.
    pub fn write(&self, folder: &Path) -> std::io::Result<()> {
        let mut json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        json.push(b'\n');
        write_atomically(&folder.join("manifest.json"), &json)
    }
}

/// Environment variable read at build time for the git hash (set it in CI or release builds).
pub const GIT_HASH_ENV: &str = "IMMUNOTRIAL_GIT_HASH";

/// The git commit of this build: `IMMUNOTRIAL_GIT_HASH` at build time if set, else
/// `git rev-parse HEAD` run now, else `None` (outside a checkout, or without git). Never fails.
pub fn git_hash() -> Option<String> {
    if let Some(hash) = option_env!("IMMUNOTRIAL_GIT_HASH").filter(|h| !h.is_empty()) {
        return Some(hash.to_owned());
    }
    let output = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let hash = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    (!hash.is_empty()).then_some(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_specs_parse_and_reject_bad_input() {
        let s: ShardSpec = "2/4".parse().unwrap();
        assert_eq!((s.index(), s.count()), (2, 4));
        assert!(s.contains(6) && !s.contains(7));
        assert_eq!(s.to_string(), "2/4");
        for bad in ["4/4", "1/0", "a/2", "1", "-1/3", "1/2/3", ""] {
            assert_eq!(
                bad.parse::<ShardSpec>(),
                Err(ResultsError::BadShard {
                    given: bad.to_owned()
                }),
                "{bad}"
            );
        }
    }

    #[test]
    fn every_patient_is_in_exactly_one_shard() {
        let count = 5;
        for id in 0..100u64 {
            let owners = (0..count)
                .filter(|&i| ShardSpec::new(i, count).unwrap().contains(id))
                .count();
            assert_eq!(owners, 1);
        }
    }

    /// A synthetic per-patient output: several rows per patient, in a patient-specific order.
    fn rows_of(id: u64) -> Vec<(u64, u64)> {
        (0..(id % 3 + 1))
            .map(|k| (id, 10 * id + (k * 7) % 5))
            .collect()
    }

    #[test]
    fn merging_shards_in_any_completion_order_equals_the_unsharded_run() {
        let ids: Vec<u64> = (0..40).collect();
        let unsharded: Vec<(u64, u64)> = ids.iter().flat_map(|&id| rows_of(id)).collect();
        let count = 3;
        let mut shards: Vec<Vec<(u64, u64)>> = (0..count)
            .map(|i| {
                let spec = ShardSpec::new(i, count).unwrap();
                ids.iter()
                    .filter(|&&id| spec.contains(id))
                    .flat_map(|&id| rows_of(id))
                    .collect()
            })
            .collect();
        shards.reverse(); // shards finish in some other order
        let merged = merge_by_patient(shards, |r| r.0).unwrap();
        assert_eq!(merged, unsharded);
    }

    #[test]
    fn a_patient_in_two_shards_is_an_error() {
        let shards = vec![vec![(1u64, 0u64), (2, 0)], vec![(3, 0)], vec![(2, 1)]];
        assert_eq!(
            merge_by_patient(shards, |r| r.0),
            Err(ResultsError::DuplicatePatient {
                id: 2,
                first: 0,
                second: 2
            })
        );
    }

    #[test]
    fn manifest_round_trips_through_json_and_is_written_atomically() {
        let folder = tempfile::tempdir().unwrap();
        let manifest = Manifest::for_this_run(42, 4, 1.5, ShardSpec::WHOLE);
        manifest.write(folder.path()).unwrap();
        let text = std::fs::read_to_string(folder.path().join("manifest.json")).unwrap();
        let back: Manifest = serde_json::from_str(&text).unwrap();
        assert_eq!(back, manifest);
        assert_eq!(back.seed, 42);
        assert_eq!((back.shard.index, back.shard.count), (0, 1));
        let names: Vec<_> = std::fs::read_dir(folder.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("manifest.json")]);
    }

    #[test]
    fn git_hash_does_not_fail_outside_a_checkout() {
        // Whatever the environment, this returns (Some hash of 40 hex digits, or None).
        if let Some(hash) = git_hash() {
            assert!(hash.chars().all(|c| c.is_ascii_hexdigit()), "{hash}");
        }
    }

    #[test]
    fn a_results_folder_holds_only_complete_files() {
        use crate::datasets::{Column, Dataset};
        let root = tempfile::tempdir().unwrap();
        let folder = ResultsFolder::create(&root.path().join("run").join("out")).unwrap();
        let dataset = Dataset::new(
            "ADSL",
            "Subject-Level Analysis Dataset",
            vec![Column::int("AGE", "Age", vec![Some(70), None])],
        )
        .unwrap();
        let written = folder.write_dataset(&dataset).unwrap();
        assert_eq!(written[0], folder.path().join("adsl.csv"));
        // A lone missing value is written as "" (an empty line would be skipped by readers).
        assert_eq!(
            std::fs::read_to_string(&written[0]).unwrap(),
            "AGE\n70\n\"\"\n"
        );
        folder
            .write_manifest(&Manifest::for_this_run(1, 1, 0.0, ShardSpec::WHOLE))
            .unwrap();
        let mut names: Vec<String> = std::fs::read_dir(folder.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            std::fs::read_to_string(&written[1]).unwrap(),
            "NAME,LABEL,TYPE\nAGE,Age,integer\n"
        );
        let mut expected = vec!["adsl.csv", "adsl.labels.csv", "manifest.json"];
        if cfg!(feature = "parquet") {
            expected.insert(2, "adsl.parquet");
        }
        assert_eq!(names, expected);
    }

    #[test]
    fn a_failed_write_keeps_the_previous_file() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("data.csv");
        write_atomically(&path, b"first").unwrap();
        // Writing into a folder that does not exist fails without touching anything else.
        let missing = folder.path().join("missing").join("data.csv");
        assert!(write_atomically(&missing, b"second").is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        write_atomically(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
    }
}
