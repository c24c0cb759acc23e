//! The match decision: Euclidean distance between descriptors, decided over several live frames.
//!
//! dlib trained its network so that the same person falls within distance 0.6, and 0.6 is the default
//! here. One frame can be unlucky (motion, an odd expression), so the decision waits for several frames:
//! a match needs `frames_needed` frames under the threshold; after `max_frames` good frames without that,
//! it is no match. The result carries the distance and how many frames agreed.

/// Tunable policy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchPolicy {
    /// Largest distance that counts as the same person (default 0.6, dlib's training margin).
    pub threshold: f32,
    /// Frames under the threshold needed for a match.
    pub frames_needed: u32,
    /// Good frames after which the answer is "no match".
    pub max_frames: u32,
}

impl Default for MatchPolicy {
    fn default() -> Self {
        MatchPolicy {
            threshold: 0.6,
            frames_needed: 3,
            max_frames: 8,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// Still collecting frames.
    Undecided,
    SamePerson,
    DifferentPerson,
}

/// The state of one matching attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchDecision {
    pub verdict: Verdict,
    /// Median distance of the frames seen so far.
    pub distance: Option<f32>,
    /// Frames under the threshold.
    pub frames_agreed: u32,
    pub frames_seen: u32,
}

/// Accumulates per-frame distances for one patient.
#[derive(Debug, Clone)]
pub struct MatchSession {
    policy: MatchPolicy,
    distances: Vec<f32>,
}

impl MatchSession {
    pub fn new(policy: MatchPolicy) -> Self {
        MatchSession {
            policy,
            distances: Vec::new(),
        }
    }

    /// Add one frame's distance and return the decision so far. After a verdict, further frames are
    /// ignored (the decision is final).
    pub fn add(&mut self, distance: f32) -> MatchDecision {
        if self.decision().verdict == Verdict::Undecided && distance.is_finite() {
            self.distances.push(distance);
        }
        self.decision()
    }

    pub fn decision(&self) -> MatchDecision {
        let agreed = self
            .distances
            .iter()
            .filter(|&&d| d <= self.policy.threshold)
            .count() as u32;
        let seen = self.distances.len() as u32;
        let mut sorted = self.distances.clone();
        sorted.sort_by(f32::total_cmp);
        let distance = sorted.get(sorted.len() / 2).copied();
        let verdict = if agreed >= self.policy.frames_needed {
            Verdict::SamePerson
        } else if seen >= self.policy.max_frames
            || seen - agreed > self.policy.max_frames.saturating_sub(self.policy.frames_needed)
        {
            Verdict::DifferentPerson
        } else {
            Verdict::Undecided
        };
        MatchDecision {
            verdict,
            distance,
            frames_agreed: agreed,
            frames_seen: seen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_close_frames_match_and_the_verdict_is_final() {
        let mut s = MatchSession::new(MatchPolicy::default());
        assert_eq!(s.add(0.41).verdict, Verdict::Undecided);
        assert_eq!(
            s.add(0.75).verdict,
            Verdict::Undecided,
            "one bad frame does not decide"
        );
        assert_eq!(s.add(0.38).verdict, Verdict::Undecided);
        let d = s.add(0.44);
        assert_eq!(d.verdict, Verdict::SamePerson);
        assert_eq!((d.frames_agreed, d.frames_seen), (3, 4));
        assert_eq!(s.add(0.9).frames_seen, 4, "frames after the verdict are ignored");
    }

    #[test]
    fn a_stranger_is_refused_as_soon_as_a_match_is_impossible() {
        let mut s = MatchSession::new(MatchPolicy::default());
        let mut last = s.add(0.8);
        let mut n = 1;
        while last.verdict == Verdict::Undecided {
            last = s.add(0.8);
            n += 1;
        }
        assert_eq!(last.verdict, Verdict::DifferentPerson);
        assert_eq!(n, 6, "after 6 misses, 3 agreeing frames no longer fit in 8");
        assert!((last.distance.unwrap() - 0.8).abs() < 1e-6);
    }

    #[test]
    fn nan_distances_are_not_frames() {
        let mut s = MatchSession::new(MatchPolicy::default());
        assert_eq!(s.add(f32::NAN).frames_seen, 0);
    }
}
