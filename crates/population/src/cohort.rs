//! Frozen cohorts: a population's covariates written to CSV once and read back unchanged, so a
//! trial can be re-run (or audited) on exactly the same patients.
//!
//! Floats are written with the shortest text that reads back to the same bits, so a cohort
//! survives a write/read round trip exactly.

use crate::Covariates;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Errors writing or reading a cohort file.
#[derive(Debug, Error)]
pub enum CohortError {
    /// CSV encoding or decoding failed (includes the row for bad values).
    #[error("{path}: {source}")]
    Csv {
        /// File.
        path: PathBuf,
        /// Cause.
        source: csv::Error,
    },
    /// The file could not be written.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
}

/// The cohort as CSV text, one row per patient in the given order.
pub fn to_csv_bytes(cohort: &[Covariates]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    for patient in cohort {
        writer.serialize(patient)?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// Writes a cohort to `path` (first to a temporary file in the same folder, then renamed, so
/// an interrupted write never leaves a partial cohort under the final name).
pub fn write_cohort(path: &Path, cohort: &[Covariates]) -> Result<(), CohortError> {
    let bytes = to_csv_bytes(cohort).map_err(|source| CohortError::Csv {
        path: path.to_owned(),
        source,
    })?;
    let io = |source| CohortError::Io {
        path: path.to_owned(),
        source,
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = path.with_file_name(format!(".{file_name}.tmp-{}", std::process::id()));
    std::fs::write(&temporary, &bytes).map_err(io)?;
    std::fs::rename(&temporary, path).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        io(e)
    })
}

/// Reads a cohort written by [`write_cohort`].
pub fn read_cohort(path: &Path) -> Result<Vec<Covariates>, CohortError> {
    let csv_error = |source| CohortError::Csv {
        path: path.to_owned(),
        source,
    };
    let mut reader = csv::Reader::from_path(path).map_err(csv_error)?;
    reader
        .deserialize()
        .collect::<Result<Vec<Covariates>, _>>()
        .map_err(csv_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PopulationSpec;

    #[test]
    fn a_cohort_round_trips_through_csv_exactly() {
        let spec = PopulationSpec::named("icu_critical").unwrap();
        let cohort: Vec<Covariates> = (0..200).map(|id| spec.sample(11, id)).collect();
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("cohort.csv");
        write_cohort(&path, &cohort).unwrap();
        assert_eq!(read_cohort(&path).unwrap(), cohort);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("patient_id,age_years,sex,height_m,bmi_kg_m2,weight_kg,abo,"));
    }

    #[test]
    fn a_bad_value_names_the_file() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("cohort.csv");
        let good = to_csv_bytes(&[PopulationSpec::named("outpatient_early")
            .unwrap()
            .sample(1, 1)])
        .unwrap();
        let bad = String::from_utf8(good)
            .unwrap()
            .replace(",M,", ",X,")
            .replace(",F,", ",X,");
        std::fs::write(&path, bad).unwrap();
        let error = read_cohort(&path).unwrap_err();
        assert!(error.to_string().contains("cohort.csv"), "{error}");
    }
}
