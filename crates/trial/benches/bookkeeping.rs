//! Throughput of the bookkeeping around the solver: allocation, ADaM dataset building and
//! CSV/Parquet writing. `cargo bench -p trial` (release) or `cargo bench -p trial --profile dev`.
//! Prints one line per measurement; there are no pass/fail targets here.

use population::PopulationSpec;
use std::time::Instant;
use trial::allocation::{
    BlockSizes, Design, Enrollee, Factors, Minimisation, Ratio, Scheme, allocate,
};
use trial::datasets::adam::{Arm, EndOfStudy, Study, SubjectRecord, WhoScoreRecord, adcps, adsl};

const PATIENTS: u64 = 100_000;
const DATASET_PATIENTS: u64 = 10_000;
const DAYS: i64 = 28;

fn time<T>(label: &str, units: f64, unit: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    let s = start.elapsed().as_secs_f64();
    println!(
        "{label:<40} {:>9.1} ms  {:>12.0} {unit}/s",
        s * 1e3,
        units / s
    );
    out
}

fn main() {
    let ratio = Ratio::new(vec![2, 1]).expect("valid ratio");
    let patients: Vec<Enrollee> = (0..PATIENTS)
        .map(|id| Enrollee {
            id,
            levels: vec![(id % 2) as u32, (id / 2 % 3) as u32],
        })
        .collect();
    let factors = Factors::new(vec![2, 3]).expect("valid factors");
    let blocks = BlockSizes::new(vec![3, 6], &ratio).expect("valid blocks");
    let designs = [
        ("simple", Scheme::Simple),
        (
            "permuted blocks 3/6",
            Scheme::PermutedBlocks(blocks.clone()),
        ),
        (
            "stratified blocks 2x3",
            Scheme::StratifiedBlocks {
                blocks,
                factors: factors.clone(),
            },
        ),
        (
            "minimisation 2 factors p=0.8",
            Scheme::Minimisation(
                Minimisation::new(factors, vec![1.0, 1.0], 0.8).expect("valid settings"),
            ),
        ),
    ];
    for (name, scheme) in designs {
        let design = Design::new(ratio.clone(), scheme).expect("valid design");
        time(
            &format!("allocate {PATIENTS} ({name})"),
            PATIENTS as f64,
            "patients",
            || allocate(&design, 1, &patients).expect("allocates"),
        );
    }

    let population =
        PopulationSpec::named("hospitalized_severe_2020").expect("built-in population");
    time(
        &format!("sample {PATIENTS} covariates"),
        PATIENTS as f64,
        "patients",
        || {
            (0..PATIENTS)
                .map(|id| population.sample(1, id))
                .collect::<Vec<_>>()
        },
    );

    let study = Study {
        studyid: "BENCH".into(),
    };
    let population =
        PopulationSpec::named("hospitalized_severe_2020").expect("built-in population");
    let subjects: Vec<SubjectRecord> = (0..DATASET_PATIENTS)
        .map(|id| SubjectRecord {
            subject_id: id,
            site_id: "01".into(),
            covariates: population.sample(1, id),
            onset_to_randomization_days: 8.0,
            baseline_who_cps: Some(5),
            planned_arm: Arm {
                number: 1,
                name: "Standard care".into(),
            },
            actual_arm: None,
            randomized: true,
            safety: true,
            treatment_start_day: Some(1),
            death_day: None,
            end_of_study_day: DAYS,
            end_of_study: EndOfStudy::Completed,
        })
        .collect();
    let scores: Vec<WhoScoreRecord> = (0..DATASET_PATIENTS)
        .flat_map(|id| {
            (1..=DAYS).map(move |day| WhoScoreRecord {
                subject_id: id,
                study_day: day,
                score: ((id as i64 + day) % 11) as u8,
            })
        })
        .collect();
    let rows = scores.len() as f64;
    time("build ADSL", DATASET_PATIENTS as f64, "rows", || {
        adsl(&study, &subjects).expect("builds")
    });
    let dataset = time("build ADCPS", rows, "rows", || {
        adcps(&study, &subjects, &scores).expect("builds")
    });
    let folder = std::env::temp_dir().join(format!("immunotrial-bench-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("temp folder");
    let csv = folder.join("ADCPS.csv");
    time("write ADCPS CSV", rows, "rows", || {
        dataset.write_csv(&csv).expect("writes")
    });
    println!(
        "  CSV size {:.1} MB",
        std::fs::metadata(&csv).map_or(0, |m| m.len()) as f64 / 1e6
    );
    let parquet = folder.join("ADCPS.parquet");
    time("write ADCPS Parquet (zstd)", rows, "rows", || {
        trial::datasets::parquet::write_parquet(&dataset, &parquet).expect("writes")
    });
    println!(
        "  Parquet size {:.1} MB",
        std::fs::metadata(&parquet).map_or(0, |m| m.len()) as f64 / 1e6
    );
    time("read ADCPS Parquet", rows, "rows", || {
        trial::datasets::parquet::read_parquet(&parquet).expect("reads")
    });
    let _ = std::fs::remove_dir_all(&folder);
}
