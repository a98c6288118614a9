//! Randomness for scripts that behave like people: a seed from the sandbox's random source, and a
//! generator that gives the same choices for the same seed (ChaCha8, reproducible by its contract),
//! so a run can be replayed from the seed it recorded.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The generator scripts use.
pub type Random = ChaCha8Rng;

/// A fresh seed from the sandbox's random source (`wasi:random` through std's hasher keys).
pub fn seed() -> u64 {
    use std::hash::BuildHasher;
    std::collections::hash_map::RandomState::new().hash_one(0u8)
}

/// The generator for `seed`: the same seed gives the same sequence on every host.
pub fn seeded(seed: u64) -> Random {
    ChaCha8Rng::seed_from_u64(seed)
}

/// Emoji a comment may end with (`insert_emoji`).
pub const EMOJI: &[&str] = &[
    "😀", "😂", "😍", "🔥", "👏", "🙌", "💯", "✨", "🥰", "😎", "👍", "❤️",
];

/// `text` with a random emoji of [`EMOJI`] after a space.
pub fn with_emoji(text: &str, rng: &mut Random) -> String {
    let emoji = EMOJI[rng.random_range(0..EMOJI.len())];
    format!("{text} {emoji}")
}

/// True with `percent` chance (0 never, 100 always).
pub fn chance(rng: &mut Random, percent: u8) -> bool {
    rng.random_range(0..100u8) < percent.min(100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_replays_the_same_choices() {
        let draw = |seed| {
            let mut rng = seeded(seed);
            (0..20).map(|_| chance(&mut rng, 50)).collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }

    #[test]
    fn zero_percent_never_and_hundred_always() {
        let mut rng = seeded(1);
        assert!((0..200).all(|_| !chance(&mut rng, 0)));
        assert!((0..200).all(|_| chance(&mut rng, 100)));
    }
}
