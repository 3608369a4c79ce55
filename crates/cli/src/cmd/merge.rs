//! `immunotrial merge`: join the results folders of `run --shard i/N` into one, with the
//! summary recomputed from the joined datasets (byte-identical to an unsharded run).

use std::path::PathBuf;
use std::time::Instant;

use trial::results::{Manifest, ResultsFolder, ShardSpec};

use crate::exit::CliError;

/// Join shard results folders.
#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// Results folders of the shards (any order).
    #[arg(value_name = "DIR", required = true)]
    pub shards: Vec<PathBuf>,
    /// Merged results folder.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Merge the shards into `--out`.
pub fn run(args: &MergeArgs) -> Result<(), CliError> {
    let started = Instant::now();
    let folder = ResultsFolder::create(&args.out).map_err(|e| {
        CliError::failure(miette::miette!(
            "{}: cannot create: {e}",
            args.out.display()
        ))
    })?;
    let shards: Vec<&std::path::Path> = args.shards.iter().map(PathBuf::as_path).collect();
    let summary = trial::run::merge(&shards, &folder, |text| {
        protocol::parse_protocol("protocol.toml", text).map_err(|e| e.to_string())
    })
    .map_err(super::run::trial_error)?;
    Manifest::for_this_run(
        summary.simulation.seed,
        1,
        started.elapsed().as_secs_f64(),
        ShardSpec::WHOLE,
    )
    .write(&args.out)
    .map_err(|e| CliError::failure(miette::miette!("{}: {e}", args.out.display())))?;
    report::write_report(&args.out)
        .map_err(|e| CliError::failure(miette::miette!("{}: report: {e}", args.out.display())))?;
    println!(
        "Merged {} shard(s): {} patients in {}",
        args.shards.len(),
        summary
            .consort
            .arms
            .iter()
            .map(|a| a.allocated)
            .sum::<u64>(),
        args.out.display()
    );
    Ok(())
}
