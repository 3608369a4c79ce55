//! `immunotrial import-ctgov`: turn a ClinicalTrials.gov API v2 study record into a protocol.

use std::path::PathBuf;

use crate::exit::CliError;

const EXAMPLES: &str = "\
EXAMPLES:
    Import a record fetched from the registry and write the protocol to a file:
        curl -o NCT04385043.json https://clinicaltrials.gov/api/v2/studies/NCT04385043
        immunotrial import-ctgov NCT04385043.json -o nct04385043.toml

    Print the protocol instead, then check it:
        immunotrial import-ctgov NCT04467047.json > msc.toml && immunotrial validate msc.toml

Every value the record cannot give (doses, clinical criteria, allocation ratio, endpoint time
points) is filled with a documented default and marked `# ASSUMPTION` in the output: review them.";

/// Turn a ClinicalTrials.gov API v2 study record (JSON) into a protocol file.
#[derive(clap::Args, Debug)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// The study record: JSON from `GET https://clinicaltrials.gov/api/v2/studies/{nctId}`.
    #[arg(value_name = "RECORD.json")]
    pub record: PathBuf,
    /// Write the protocol here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Import, check that the result validates, write it.
pub fn run(args: Args) -> Result<(), CliError> {
    let name = args.record.display().to_string();
    let json = std::fs::read_to_string(&args.record)
        .map_err(|e| CliError::input(miette::miette!("{name}: cannot read: {e}")))?;
    let toml = protocol::ctgov::import_json(&json)
        .map_err(|e| CliError::input(miette::miette!("{name}: {e}")))?;
    // The imported file must validate as written; if it does not, that is our bug, not the user's.
    if let Err(error) = protocol::parse_protocol("imported protocol", &toml) {
        for report in crate::render::reports(&error) {
            eprintln!("{report:?}");
        }
        return Err(CliError::failure(miette::miette!(
            "{name}: the imported protocol does not validate (please report this)"
        )));
    }
    match &args.output {
        Some(path) => {
            // Write beside the target and rename, so a failure never leaves half a protocol.
            let partial = path.with_extension("toml.partial");
            std::fs::write(&partial, &toml)
                .and_then(|()| std::fs::rename(&partial, path))
                .map_err(|e| {
                    CliError::failure(miette::miette!("{}: cannot write: {e}", path.display()))
                })?;
            eprintln!(
                "wrote {} (review the lines marked ASSUMPTION)",
                path.display()
            );
        }
        None => print!("{toml}"),
    }
    Ok(())
}
