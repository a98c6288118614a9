//! A warm-up session planned from its seed before it starts: how long each video is watched and
//! what is done on it. Planning first makes a run replayable from the seed alone, whatever the
//! phone shows and however long each action takes.

use phonefleet_sdk::random::{self, Random};
use rand::Rng;
use serde::Serialize;

/// What may be done on a video.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Like,
    /// Follow the creator.
    Follow,
    /// Bookmark (TikTok's Favorites, Instagram's Save).
    Collect,
    Comment,
}

/// The chances (0..=100) of each action on a video.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Chances {
    pub like: u8,
    pub follow: u8,
    pub collect: u8,
    pub comment: u8,
}

/// One video of the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Video {
    /// How long to watch it, in seconds.
    pub watch_secs: u32,
    /// What to do on it, in this order.
    pub actions: Vec<Action>,
}

/// Videos until their watch times reach `duration_secs` (the last one cut to fit), each watched a
/// random whole number of seconds in `[min_secs, max_secs]` and given each action with its chance.
pub fn plan(
    rng: &mut Random,
    duration_secs: u32,
    (min_secs, max_secs): (u32, u32),
    chances: Chances,
) -> Vec<Video> {
    let mut videos = Vec::new();
    let mut total = 0u32;
    while total < duration_secs {
        let watch = rng.random_range(min_secs..=max_secs.max(min_secs)).max(1);
        let watch = watch.min(duration_secs - total);
        total += watch;
        let actions = [
            (Action::Like, chances.like),
            (Action::Follow, chances.follow),
            (Action::Collect, chances.collect),
            (Action::Comment, chances.comment),
        ]
        .into_iter()
        .filter(|(_, chance)| random::chance(rng, *chance))
        .map(|(action, _)| action)
        .collect();
        videos.push(Video {
            watch_secs: watch,
            actions,
        });
    }
    videos
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: Chances = Chances {
        like: 100,
        follow: 100,
        collect: 100,
        comment: 100,
    };

    #[test]
    fn watch_times_fill_the_duration_within_the_range() {
        let videos = plan(&mut random::seeded(3), 100, (5, 9), Chances::default());
        let total: u32 = videos.iter().map(|v| v.watch_secs).sum();
        assert_eq!(total, 100);
        let (last, rest) = videos.split_last().expect("videos");
        assert!(rest.iter().all(|v| (5..=9).contains(&v.watch_secs)));
        assert!(last.watch_secs <= 9);
    }

    #[test]
    fn the_same_seed_plans_the_same_session() {
        let chances = Chances {
            like: 50,
            follow: 20,
            collect: 30,
            comment: 10,
        };
        assert_eq!(
            plan(&mut random::seeded(9), 300, (10, 20), chances),
            plan(&mut random::seeded(9), 300, (10, 20), chances)
        );
    }

    #[test]
    fn zero_takes_no_action_and_hundred_takes_every_one() {
        let none = plan(&mut random::seeded(1), 60, (1, 3), Chances::default());
        assert!(none.iter().all(|v| v.actions.is_empty()));
        let all = plan(&mut random::seeded(1), 60, (1, 3), ALL);
        assert!(all.iter().all(|v| v.actions
            == [
                Action::Like,
                Action::Follow,
                Action::Collect,
                Action::Comment
            ]));
    }
}
