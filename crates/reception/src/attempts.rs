//! Face attempts per card per day. A stolen card with a good picture of its holder could otherwise be
//! tried at the camera again and again (each reception allows [`crate::FlowConfig::face_attempts`]); the
//! kiosk counts the attempts per card per day and stops offering face matching for that card when the
//! day's allowance is spent (the PIN and the staff check stay).
//!
//! Nothing personal is kept: a card is known only by the SHA-256 of its authentication certificate's
//! issuer and serial number (a certificate identifier, not a person's data), and the counts are forgotten
//! when the day (Japan time) changes. The kiosk keeps the day's counts in its journal
//! ([`crate::Effect::CountFaceAttempt`], [`crate::Flow::restore_face_attempts`]), so restarting the kiosk
//! (or pulling its plug) does not give a card its attempts back.

use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// A card, as the hash of its certificate's issuer and serial.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CardKey([u8; 32]);

impl std::fmt::Debug for CardKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CardKey(<hash>)")
    }
}

impl CardKey {
    pub fn of(cert_issuer: &str, cert_serial: &str) -> CardKey {
        let mut h = Sha256::new();
        h.update(b"kiosk face attempts\0");
        h.update(cert_issuer.as_bytes());
        h.update([0]);
        h.update(cert_serial.as_bytes());
        CardKey(h.finalize().into())
    }

    /// A key as stored (the journal keeps the 32 hash bytes).
    pub fn from_bytes(bytes: [u8; 32]) -> CardKey {
        CardKey(bytes)
    }

    pub fn to_bytes(self) -> [u8; 32] {
        self.0
    }
}

/// The day number of a Unix time in Japan (UTC+9, no daylight saving).
pub fn japan_day(unix_secs: i64) -> i64 {
    (unix_secs + 9 * 3600).div_euclid(86_400)
}

/// Face attempts of the day, per card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaceAttempts {
    per_day: u32,
    day: i64,
    counts: HashMap<CardKey, u32>,
}

impl FaceAttempts {
    pub fn new(per_day: u32) -> FaceAttempts {
        FaceAttempts {
            per_day,
            day: i64::MIN,
            counts: HashMap::new(),
        }
    }

    fn roll(&mut self, now: i64) {
        let day = japan_day(now);
        if day != self.day {
            self.day = day;
            self.counts.clear();
        }
    }

    /// Whether this card may have another face attempt today.
    pub fn allowed(&mut self, card: CardKey, now: i64) -> bool {
        self.roll(now);
        self.counts.get(&card).copied().unwrap_or(0) < self.per_day
    }

    /// Count one attempt.
    pub fn record(&mut self, card: CardKey, now: i64) {
        self.roll(now);
        *self.counts.entry(card).or_default() += 1;
    }

    /// Take back the counts kept for `day` (Japan time) from before a restart. Counts of another day
    /// than the one in force are ignored: they are spent.
    pub fn restore(&mut self, day: i64, now: i64, counts: impl IntoIterator<Item = (CardKey, u32)>) {
        self.roll(now);
        if day != self.day {
            return;
        }
        for (card, n) in counts {
            let c = self.counts.entry(card).or_default();
            *c = (*c).max(n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_runs_out_for_the_day_and_gets_them_back_the_next_day() {
        let mut a = FaceAttempts::new(2);
        let card = CardKey::of("CN=JPKI", "0A1B");
        let other = CardKey::of("CN=JPKI", "0A1C");
        let t = 1_800_000_000;
        assert!(a.allowed(card, t));
        a.record(card, t);
        a.record(card, t + 60);
        assert!(!a.allowed(card, t + 120));
        assert!(a.allowed(other, t + 120), "other cards are not affected");
        assert!(a.allowed(card, t + 86_400), "a new day");
    }

    #[test]
    fn counts_kept_from_before_a_restart_still_count_today_only() {
        let card = CardKey::of("CN=JPKI", "0A1B");
        let t = 1_800_000_000;
        let mut a = FaceAttempts::new(2);
        a.restore(japan_day(t), t, [(CardKey::from_bytes(card.to_bytes()), 2)]);
        assert!(!a.allowed(card, t), "spent before the restart");
        let mut b = FaceAttempts::new(2);
        b.restore(japan_day(t) - 1, t, [(card, 2)]);
        assert!(b.allowed(card, t), "yesterday's count is not today's");
    }

    #[test]
    fn the_day_is_japans() {
        // 2025-12-01 15:00 UTC is 2025-12-02 00:00 in Japan.
        let midnight_jst = 1_764_601_200;
        assert_eq!(japan_day(midnight_jst), japan_day(midnight_jst - 1) + 1);
    }
}
