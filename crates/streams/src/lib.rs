//! Reproducible random streams: one master seed, one independent stream per
//! (purpose, entity id).
//!
//! Every random decision in immunotrial draws from the stream of its purpose and of the entity
//! it concerns (a patient, a donor, a replicate trial), never from a shared generator. The draws
//! for patient 17 are therefore the same whether patients run on 1 thread or 16, in one process
//! or in shards, and adding an arm or a purpose does not move any other stream.
//!
//! The generator is ChaCha8 (counter-based; `set_stream` selects one of 2^64 independent
//! streams under a key).

use rand::SeedableRng;
pub use rand_chacha::ChaCha8Rng;

/// What a stream is used for. Each purpose gets its own key, so streams never overlap.
/// Append new purposes at the end: the discriminant is part of the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u64)]
pub enum Purpose {
    /// Covariates and physiological parameters of a virtual patient.
    Patient = 1,
    /// The patient's uniform draw for the death time (Λ(t) ≥ −ln U).
    Death = 2,
    /// Measurement noise on observed biomarkers.
    Measurement = 3,
    /// Plasma donors: eligibility, titer, ABO, collection.
    Donor = 4,
    /// Allocation of patients to arms.
    Allocation = 5,
    /// Adverse events.
    AdverseEvents = 6,
    /// Loss to follow-up and treatment-start delays.
    FollowUp = 7,
    /// Seeds of replicate trials.
    Replicate = 8,
    /// Units issued to a patient (which donations, pathogen-reduction loss).
    PlasmaIssue = 9,
}

/// The stream for `purpose` and entity `id` under `master_seed`.
pub fn stream(master_seed: u64, purpose: Purpose, id: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(splitmix64(master_seed ^ splitmix64(purpose as u64)));
    rng.set_stream(id);
    rng
}

/// SplitMix64 finaliser (Steele, Lea & Flood 2014): spreads a 64-bit key over all bits so that
/// nearby seeds and purposes give unrelated ChaCha keys.
fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn a_stream_does_not_depend_on_which_other_streams_were_drawn() {
        let first: Vec<u64> = (0..5)
            .map(|id| stream(42, Purpose::Patient, id).next_u64())
            .collect();
        let reversed: Vec<u64> = (0..5)
            .rev()
            .map(|id| stream(42, Purpose::Patient, id).next_u64())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        assert_eq!(first, reversed);
    }

    #[test]
    fn purposes_ids_and_seeds_give_different_streams() {
        let a = stream(42, Purpose::Patient, 7).next_u64();
        assert_ne!(a, stream(42, Purpose::Death, 7).next_u64());
        assert_ne!(a, stream(42, Purpose::Patient, 8).next_u64());
        assert_ne!(a, stream(43, Purpose::Patient, 7).next_u64());
    }

    #[test]
    fn chacha8_matches_its_published_keystream() {
        // Known answer: ChaCha8 with an all-zero key, nonce and counter starts with the word
        // 0x2fef003e (the reduced-round ChaCha test vectors used by rand_chacha's own tests).
        // Guards against a silent change of generator under a dependency update.
        let mut zero = ChaCha8Rng::from_seed([0u8; 32]);
        assert_eq!(zero.next_u32(), 0x2fef003e);
    }
}
