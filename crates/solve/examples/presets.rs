//! Print a natural-history summary of each phenotype preset (used while calibrating).
use model::{Covariates, Phenotype};
use solve::{EventKind, PatientProblem, solve};

fn main() {
    for age in [50.0, 70.0] {
        for ph in Phenotype::ALL {
            let cov = Covariates {
                age_years: age,
                ..Covariates::default()
            };
            let pr = PatientProblem::natural_history(ph.params(), cov, 60.0);
            let t = solve(&pr).expect("solve");
            let on = pr.onset_day;
            let titer20 = t.rows.iter().find(|r| r.titer_id50 >= 20.0).map(|r| r.day);
            println!(
                "age {age} {ph:9} VLpeak {:.2e}@{:+.1} clear {:?} IL6 {:.0} PF {:.0}@{:.1} L {:.2} WHO {} titer20 {:?} d28 {:.3} P60 {:.3} steps {} ev {:?}",
                t.viral_peak.value,
                t.viral_peak.time_days - on,
                t.first(EventKind::ViralClearance)
                    .map(|x| ((x - on) * 10.0).round() / 10.0),
                t.il6_peak.value,
                t.pf_nadir.value,
                t.pf_nadir.time_days - on,
                t.lymphocyte_nadir.value,
                t.who_peak,
                titer20,
                t.rows[28].death_probability,
                t.final_death_probability,
                t.steps,
                t.events
                    .iter()
                    .map(|e| (e.kind.as_str(), (e.day_since_onset * 10.0).round() / 10.0))
                    .collect::<Vec<_>>()
            );
            if std::env::var("ROWS").is_ok_and(|v| v == ph.as_str()) {
                for r in t.rows.iter().step_by(2) {
                    println!(
                        "  d{:2} VL {:.1} IL6 {:.0} L {:.2} N {:.0} J {:.3} PF {:.0} WHO {} p {:.3}",
                        r.day,
                        r.viral_load_log10,
                        r.il6_pg_ml,
                        r.lymphocytes_1e9_l,
                        r.titer_id50,
                        r.lung_injury,
                        r.pf_ratio,
                        r.who_score,
                        r.death_probability
                    );
                }
            }
        }
    }
}
