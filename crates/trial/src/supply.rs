//! Plasma received by each patient, and the plasma supply of a trial.
//!
//! [`received`] sums what one patient's issued plasma delivered (units, neutralising dose);
//! the trial engine stores it on the course and ADSL shows it (PLUNITS, PLNABDOS).

use therapy::plasma::IssuedAdministration;

/// Plasma a patient received.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PlasmaReceived {
    /// Units infused.
    pub units: u32,
    /// Neutralising dose delivered, ID50·mL (Σ titer × volume × (1 − pathogen-reduction
    /// loss) over the units infused).
    pub delivered_id50_ml: f64,
}

/// The plasma of `administrations` given up to `until_days_since_onset` (a patient who dies
/// before a scheduled administration does not receive it; `None`: all of them).
pub fn received(
    administrations: &[IssuedAdministration],
    until_days_since_onset: Option<f64>,
) -> PlasmaReceived {
    administrations
        .iter()
        .filter(|a| until_days_since_onset.is_none_or(|end| a.day_since_onset <= end))
        .flat_map(|a| &a.units)
        .fold(PlasmaReceived::default(), |sum, unit| PlasmaReceived {
            units: sum.units + 1,
            delivered_id50_ml: sum.delivered_id50_ml + unit.delivered_id50_ml(),
        })
}

/// Whether the protocol gives plasma in any arm.
pub fn has_plasma(protocol: &protocol::Protocol) -> bool {
    protocol.arms.iter().any(|arm| {
        protocol
            .arm_regimens(arm)
            .any(|r| matches!(r.product, protocol::Product::Plasma(_)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use therapy::plasma::PlasmaUnit;

    fn unit(titer_id50: f64, volume_ml: f64, reduction_loss: f64) -> PlasmaUnit {
        PlasmaUnit {
            donor_id: 0,
            abo: therapy::AboGroup::O,
            titer_id50,
            volume_ml,
            reduction_loss,
        }
    }

    #[test]
    fn received_counts_units_given_before_death() {
        let given = vec![
            IssuedAdministration {
                day_since_onset: 10.0,
                units: vec![unit(320.0, 300.0, 0.1)],
                events: Vec::new(),
            },
            IssuedAdministration {
                day_since_onset: 12.0,
                units: vec![unit(160.0, 250.0, 0.0), unit(640.0, 200.0, 0.5)],
                events: Vec::new(),
            },
        ];
        // All: 320·300·0.9 + 160·250 + 640·200·0.5 = 86 400 + 40 000 + 64 000.
        let all = received(&given, None);
        assert_eq!(all.units, 3);
        assert!((all.delivered_id50_ml - 190_400.0).abs() < 1e-6);
        // Death on day 11 since onset: the second administration is never given.
        let first = received(&given, Some(11.0));
        assert_eq!(first.units, 1);
        assert!((first.delivered_id50_ml - 86_400.0).abs() < 1e-6);
        assert_eq!(received(&[], None), PlasmaReceived::default());
    }
}
