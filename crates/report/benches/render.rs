//! Time to render the report of synthetic trials of growing size (reading the CSVs, Kaplan–Meier,
//! Aalen–Johansen, quartiles, SVG). Run with `cargo bench -p report`.

#[path = "../tests/fixture/mod.rs"]
mod fixture;

use std::time::Instant;

/// Renders per size; the median is reported.
const REPEATS: usize = 5;

fn main() {
    for patients in [120, 1_000, 5_000] {
        let dir = tempfile::tempdir().expect("temporary folder");
        fixture::write_trial(dir.path(), fixture::SEED_PROTOCOL, patients);
        let mut seconds: Vec<f64> = (0..REPEATS)
            .map(|_| {
                let start = Instant::now();
                let html = report::render_folder(dir.path()).expect("render");
                std::hint::black_box(html);
                start.elapsed().as_secs_f64()
            })
            .collect();
        seconds.sort_by(f64::total_cmp);
        let size = report::render_folder(dir.path()).expect("render").len();
        println!(
            "render {patients:>5} patients: median {:.1} ms over {REPEATS} runs, report {:.0} KiB",
            1e3 * seconds[REPEATS / 2],
            size as f64 / 1024.0
        );
    }
}
