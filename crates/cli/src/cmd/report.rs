//! `immunotrial report RESULTS_DIR`: rebuilds `report.html` in a results folder from the saved
//! data (manifest, protocol, summary, ADaM datasets), without re-simulating.

use std::path::PathBuf;

use miette::miette;

use crate::exit::CliError;

/// Arguments of `immunotrial report`.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// The results folder (written by `immunotrial run`).
    pub results_dir: PathBuf,
}

/// Writes `RESULTS_DIR/report.html` and prints its path.
pub fn run(args: &ReportArgs) -> Result<(), CliError> {
    match report::write_report(&args.results_dir) {
        Ok(path) => {
            println!("{}", path.display());
            Ok(())
        }
        Err(e @ report::ReportError::NotAFolder { .. }) => Err(CliError::input(miette!(
            help = "give the folder a trial run wrote its results to",
            "{e}"
        ))),
        Err(e) => Err(CliError::failure(miette!("{e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_report_into_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let args = ReportArgs {
            results_dir: dir.path().to_owned(),
        };
        assert!(run(&args).is_ok());
        let html = std::fs::read_to_string(dir.path().join(report::REPORT_FILE)).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
    }

    #[test]
    fn a_missing_folder_is_bad_input() {
        let args = ReportArgs {
            results_dir: PathBuf::from("/no/such/results/folder"),
        };
        assert!(matches!(run(&args), Err(CliError::Input(_))));
    }
}
