//! Endpoints of one patient from plain inputs (death time, follow-up, daily WHO scores), as
//! ADTTE records or yes/no answers. Pure functions: the engine feeds them each patient's course.
//!
//! Time convention: `t` is days since randomization (t = 0 at randomization, study day 1). A
//! daily WHO score on study day `d` is the assessment at t = d − 1. Definitions follow
//! FORMATS.md §3.4–3.5 (CDISC pilot ADTTE, admiral `derive_param_tte`) and the ACTT-1 rule for
//! recovery (patients who die before recovering are censored at the horizon: they never
//! recovered within it).

use crate::datasets::adam::{Parameter, TimeToEventRecord, TteOutcome, WhoScoreRecord};

/// CNSR code: followed event-free to the horizon.
pub const CNSR_HORIZON: u32 = 1;
/// CNSR code: lost to follow-up before the horizon.
pub const CNSR_LOST: u32 = 2;
/// CNSR code: died before the event of interest (time-to-recovery), censored at the horizon.
pub const CNSR_DEATH_FIRST: u32 = 3;

/// Highest WHO CPS score counted as recovered: ambulatory (≤ 3), which includes discharge
/// (WHO CPS, Marshall et al. 2020; FORMATS.md §3.5 `TTRECOV`).
pub const RECOVERED_MAX_SCORE: u8 = 3;
/// WHO CPS score of death.
pub const DEAD_SCORE: u8 = 10;
/// WHO CPS threshold of the "mechanical ventilation or death" endpoint (≥ 7).
pub const VENTILATION_MIN_SCORE: u8 = 7;

/// Time to death up to `horizon_days` (PARAMCD `OS<h>`), given the death time (if any) and the
/// end of follow-up (days since randomization). Death within follow-up and horizon is an event;
/// otherwise censored at the horizon ([`CNSR_HORIZON`]) or at the end of follow-up when that
/// came first ([`CNSR_LOST`]).
pub fn time_to_death(
    subject_id: u64,
    horizon_days: u32,
    death_days: Option<f64>,
    follow_up_days: f64,
) -> TimeToEventRecord {
    let horizon = f64::from(horizon_days);
    let parameter = Parameter {
        code: format!("OS{horizon_days}"),
        label: format!("Time to Death up to Day {horizon_days} (days)"),
    };
    let (time_days, outcome) = match death_days {
        Some(t) if t <= horizon && t <= follow_up_days => (
            t,
            TteOutcome::Event {
                description: "DEATH".to_owned(),
            },
        ),
        _ if follow_up_days < horizon => (
            follow_up_days,
            TteOutcome::Censored {
                code: CNSR_LOST,
                description: "LOST TO FOLLOW-UP".to_owned(),
            },
        ),
        _ => (
            horizon,
            TteOutcome::Censored {
                code: CNSR_HORIZON,
                description: format!("ALIVE AT DAY {horizon_days}"),
            },
        ),
    };
    TimeToEventRecord {
        subject_id,
        parameter,
        time_days,
        outcome,
    }
}

/// Days since randomization of a daily score's assessment (study day d ↦ d − 1; no day 0).
fn assessment_time(study_day: i64) -> f64 {
    (study_day - 1) as f64
}

/// Post-baseline scores (study day ≥ 2) up to the horizon, in day order.
fn post_baseline(scores: &[WhoScoreRecord], horizon_days: u32) -> Vec<&WhoScoreRecord> {
    let mut v: Vec<&WhoScoreRecord> = scores
        .iter()
        .filter(|s| s.study_day >= 2 && assessment_time(s.study_day) <= f64::from(horizon_days))
        .collect();
    v.sort_by_key(|s| s.study_day);
    v
}

/// Time to recovery (WHO CPS ≤ 3, `TTRECOV`) up to `horizon_days`, from one subject's daily
/// scores. The event time is the first post-baseline assessment with a score ≤ 3. A subject who
/// dies first is censored at the horizon ([`CNSR_DEATH_FIRST`], the ACTT-1 rule); one whose
/// scores stop before the horizon without death is censored at the last assessment
/// ([`CNSR_LOST`]); otherwise censored at the horizon ([`CNSR_HORIZON`]).
pub fn time_to_recovery(
    subject_id: u64,
    horizon_days: u32,
    scores: &[WhoScoreRecord],
) -> TimeToEventRecord {
    let horizon = f64::from(horizon_days);
    let parameter = Parameter {
        code: "TTRECOV".to_owned(),
        label: format!("Time to Recovery (WHO CPS <= 3) up to Day {horizon_days} (days)"),
    };
    let course = post_baseline(scores, horizon_days);
    let censored = |time_days, code, description: String| TimeToEventRecord {
        subject_id,
        parameter: parameter.clone(),
        time_days,
        outcome: TteOutcome::Censored { code, description },
    };
    for s in &course {
        if s.score == DEAD_SCORE {
            return censored(
                horizon,
                CNSR_DEATH_FIRST,
                "DEATH BEFORE RECOVERY".to_owned(),
            );
        }
        if s.score <= RECOVERED_MAX_SCORE {
            return TimeToEventRecord {
                subject_id,
                parameter,
                time_days: assessment_time(s.study_day),
                outcome: TteOutcome::Event {
                    description: "RECOVERY".to_owned(),
                },
            };
        }
    }
    match course.last() {
        Some(last) if assessment_time(last.study_day) < horizon => censored(
            assessment_time(last.study_day),
            CNSR_LOST,
            "LOST TO FOLLOW-UP".to_owned(),
        ),
        None if horizon > 0.0 => censored(0.0, CNSR_LOST, "NO POST-BASELINE ASSESSMENT".to_owned()),
        _ => censored(
            horizon,
            CNSR_HORIZON,
            format!("NOT RECOVERED AT DAY {horizon_days}"),
        ),
    }
}

/// `CPSIMP2`: an improvement of at least 2 points from `baseline` on any post-baseline
/// assessment up to the horizon (death never counts as improvement).
pub fn improved_by_two(baseline: u8, horizon_days: u32, scores: &[WhoScoreRecord]) -> bool {
    post_baseline(scores, horizon_days)
        .iter()
        .any(|s| s.score != DEAD_SCORE && s.score + 2 <= baseline)
}

/// `CPSGE7D28`-style endpoint: WHO CPS ≥ 7 (mechanical ventilation) or death on any
/// post-baseline assessment up to the horizon.
pub fn ventilated_or_dead(horizon_days: u32, scores: &[WhoScoreRecord]) -> bool {
    post_baseline(scores, horizon_days)
        .iter()
        .any(|s| s.score >= VENTILATION_MIN_SCORE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn course(scores: &[u8]) -> Vec<WhoScoreRecord> {
        // scores[0] is study day 1 (baseline), scores[k] study day k + 1.
        scores
            .iter()
            .enumerate()
            .map(|(k, &score)| WhoScoreRecord {
                subject_id: 7,
                study_day: k as i64 + 1,
                score,
            })
            .collect()
    }

    fn cnsr(r: &TimeToEventRecord) -> u32 {
        match r.outcome {
            TteOutcome::Event { .. } => 0,
            TteOutcome::Censored { code, .. } => code,
        }
    }

    #[test]
    fn death_within_the_horizon_is_an_event_at_its_time() {
        let r = time_to_death(7, 28, Some(12.25), 28.0);
        assert_eq!((r.time_days, cnsr(&r)), (12.25, 0));
        assert_eq!(r.parameter.code, "OS28");
    }

    #[test]
    fn death_after_the_horizon_or_after_follow_up_is_censored() {
        let late = time_to_death(7, 28, Some(40.0), 60.0);
        assert_eq!((late.time_days, cnsr(&late)), (28.0, CNSR_HORIZON));
        let lost = time_to_death(7, 28, Some(20.0), 15.5);
        assert_eq!((lost.time_days, cnsr(&lost)), (15.5, CNSR_LOST));
        let alive = time_to_death(7, 60, None, 60.0);
        assert_eq!((alive.time_days, cnsr(&alive)), (60.0, CNSR_HORIZON));
        assert_eq!(alive.parameter.code, "OS60");
    }

    #[test]
    fn recovery_is_the_first_assessment_at_or_below_3() {
        // Baseline 5 on day 1; 6 on day 2, 4 on day 3, 3 on day 4 → recovered at t = 3 days.
        let r = time_to_recovery(7, 28, &course(&[5, 6, 4, 3, 2]));
        assert_eq!((r.time_days, cnsr(&r)), (3.0, 0));
    }

    #[test]
    fn a_baseline_score_at_or_below_3_is_not_a_recovery() {
        let r = time_to_recovery(7, 3, &course(&[3, 5, 5, 5]));
        assert_eq!((r.time_days, cnsr(&r)), (3.0, CNSR_HORIZON));
    }

    #[test]
    fn death_before_recovery_is_censored_at_the_horizon() {
        let r = time_to_recovery(7, 28, &course(&[6, 7, 8, 10]));
        assert_eq!((r.time_days, cnsr(&r)), (28.0, CNSR_DEATH_FIRST));
    }

    #[test]
    fn scores_ending_early_are_censored_at_the_last_assessment() {
        let r = time_to_recovery(7, 28, &course(&[5, 5, 5]));
        assert_eq!((r.time_days, cnsr(&r)), (2.0, CNSR_LOST));
    }

    #[test]
    fn recovery_after_the_horizon_does_not_count() {
        // Day 5 (t = 4) is past a 3-day horizon.
        let r = time_to_recovery(7, 3, &course(&[5, 5, 5, 5, 2]));
        assert_eq!((r.time_days, cnsr(&r)), (3.0, CNSR_HORIZON));
    }

    #[test]
    fn two_point_improvement_and_ventilation_or_death() {
        assert!(improved_by_two(6, 28, &course(&[6, 5, 4])));
        assert!(!improved_by_two(6, 28, &course(&[6, 5, 5])));
        // Death (10) is never an improvement, and the baseline assessment (day 1) never counts.
        assert!(!improved_by_two(9, 28, &course(&[7, 10])));
        assert!(ventilated_or_dead(28, &course(&[6, 7])));
        assert!(ventilated_or_dead(28, &course(&[5, 10])));
        assert!(!ventilated_or_dead(28, &course(&[7, 6, 5])));
        assert!(!ventilated_or_dead(1, &course(&[5, 5, 9])));
    }
}
