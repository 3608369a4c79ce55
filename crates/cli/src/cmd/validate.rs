//! `immunotrial validate`: check protocol files and show every problem found.

use std::path::PathBuf;

use crate::exit::CliError;
use crate::render;

const EXAMPLES: &str = "\
EXAMPLES:
    Check every bundled protocol:
        immunotrial validate protocols/*.toml

    Check one file; on errors each problem is shown as file:line:column, the field path,
    what was expected and a hint, and the exit status is 2:
        immunotrial validate my-trial.toml";

/// Check protocol files: print one OK line per valid file, or its diagnostics.
#[derive(clap::Args, Debug)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// Protocol files (TOML) to check.
    #[arg(required = true, value_name = "PROTOCOL")]
    pub protocols: Vec<PathBuf>,
}

/// Validate each file; exit status 2 if any is invalid or unreadable.
pub fn run(args: Args) -> Result<(), CliError> {
    let mut failed = 0;
    for path in &args.protocols {
        let name = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("{name}: cannot read: {e}");
                failed += 1;
                continue;
            }
        };
        match protocol::parse_protocol(&name, &text) {
            Ok(p) => println!(
                "OK {name}: {} ({} arm(s), {} endpoint(s), {} criteria)",
                p.study.id,
                p.arms.len(),
                p.endpoints.len(),
                p.inclusion.len() + p.exclusion.len()
            ),
            Err(error) => {
                failed += 1;
                for report in render::reports(&error) {
                    eprintln!("{report:?}");
                }
            }
        }
    }
    if failed == 0 {
        Ok(())
    } else {
        Err(CliError::input(miette::miette!(
            "{failed} of {} protocol file(s) did not validate",
            args.protocols.len()
        )))
    }
}
