//! The insurance-use policy for the user-authentication certificate (docs/CARD-NOTES.md §7.2): the reader shows a renewal alert from 3 months before expiry; after expiry
//! the card still works as a health-insurance card, for eligibility only (no sharing of medical
//! information), until the last day of the month three months after the expiry month (「3か月後の末日」:
//! a certificate expiring in February is usable to the end of May; MHLW
//! https://www.mhlw.go.jp/stf/newpage_50657.html and an insurer leaflet, /work/shared/docs/reception-rules.md
//! §0.4); after that it cannot be used. Dates are Japanese calendar days; `now` is a
//! parameter so the rule is testable and the crate reads no clock.

use crate::date::Date;

/// How long before and after expiry the rules apply, in calendar months.
pub const ALERT_MONTHS: i32 = 3;
pub const GRACE_MONTHS: i32 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateStatus {
    /// Before `notBefore`: the card's clock or ours is wrong; treat as not usable.
    NotYetValid {
        valid_from: Date,
    },
    Valid {
        expires_on: Date,
    },
    /// Within 3 months of expiry: usable, with an alert the patient acknowledges.
    ExpiringSoon {
        expires_on: Date,
        days_left: i64,
    },
    /// Expired, within the 3-month grace: eligibility check only, no information sharing.
    ExpiredInGrace {
        expired_on: Date,
        usable_until: Date,
    },
    /// Expired, and past the end of the third month after: not usable; guide the patient to the counter.
    ExpiredBeyondGrace {
        expired_on: Date,
    },
}

impl CertificateStatus {
    /// Whether the eligibility check may go ahead at all.
    pub fn usable_for_eligibility(self) -> bool {
        matches!(
            self,
            Self::Valid { .. } | Self::ExpiringSoon { .. } | Self::ExpiredInGrace { .. }
        )
    }
    /// Whether past medical information may be shared (consent screens are shown).
    pub fn allows_information_sharing(self) -> bool {
        matches!(self, Self::Valid { .. } | Self::ExpiringSoon { .. })
    }
}

/// Evaluate the certificate validity (`not_before`/`not_after` as Unix seconds) at `now` (Unix seconds).
pub fn evaluate(not_before: i64, not_after: i64, now: i64) -> CertificateStatus {
    let today = Date::from_unix_jst(now);
    let expires_on = Date::from_unix_jst(not_after);
    let valid_from = Date::from_unix_jst(not_before);
    if now < not_before {
        CertificateStatus::NotYetValid { valid_from }
    } else if today <= expires_on {
        if today >= expires_on.add_months(-ALERT_MONTHS) {
            CertificateStatus::ExpiringSoon {
                expires_on,
                days_left: today.days_until(expires_on),
            }
        } else {
            CertificateStatus::Valid { expires_on }
        }
    } else {
        let usable_until = expires_on.end_of_month_after(GRACE_MONTHS);
        if today <= usable_until {
            CertificateStatus::ExpiredInGrace {
                expired_on: expires_on,
                usable_until,
            }
        } else {
            CertificateStatus::ExpiredBeyondGrace {
                expired_on: expires_on,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unix seconds of 12:00 JST on a date.
    fn noon(y: i32, m: u8, d: u8) -> i64 {
        let date = Date::new(y, m, d).unwrap();
        let epoch = Date::new(1970, 1, 1).unwrap();
        epoch.days_until(date) * 86400 + 3 * 3600
    }
    /// notAfter as the card writes it: 23:59:59 JST of the expiry day.
    fn end_of(y: i32, m: u8, d: u8) -> i64 {
        noon(y, m, d) + 12 * 3600 - 1
    }

    #[test]
    fn the_grace_ends_on_the_last_day_of_the_third_month() {
        // The leaflets' example: a February expiry is usable to the end of May (「3か月後の末日」).
        // (expired, last usable day, first unusable day)
        let cases = [
            ((2026, 2, 10), (2026, 5, 31), (2026, 6, 1)),
            ((2025, 11, 10), (2026, 2, 28), (2026, 3, 1)),
            ((2027, 11, 30), (2028, 2, 29), (2028, 3, 1)),
            ((2026, 12, 1), (2027, 3, 31), (2027, 4, 1)),
        ];
        for ((ey, em, ed), (uy, um, ud), (by, bm, bd)) in cases {
            let nb = noon(ey - 5, em, 1);
            let na = end_of(ey, em, ed);
            let s = evaluate(nb, na, noon(uy, um, ud));
            assert_eq!(
                s,
                CertificateStatus::ExpiredInGrace {
                    expired_on: Date::new(ey, em, ed).unwrap(),
                    usable_until: Date::new(uy, um, ud).unwrap()
                }
            );
            assert!(s.usable_for_eligibility() && !s.allows_information_sharing());
            let beyond = evaluate(nb, na, noon(by, bm, bd));
            assert!(
                matches!(beyond, CertificateStatus::ExpiredBeyondGrace { .. }),
                "{beyond:?}"
            );
            assert!(!beyond.usable_for_eligibility());
        }
    }

    #[test]
    fn alert_window_and_last_day() {
        let nb = noon(2020, 11, 10);
        let na = end_of(2025, 11, 10);
        assert!(matches!(
            evaluate(nb, na, noon(2025, 8, 9)),
            CertificateStatus::Valid { .. }
        ));
        assert_eq!(
            evaluate(nb, na, noon(2025, 8, 10)),
            CertificateStatus::ExpiringSoon {
                expires_on: Date::new(2025, 11, 10).unwrap(),
                days_left: 92
            }
        );
        // The expiry day itself is still valid (until 23:59:59 JST).
        assert!(matches!(
            evaluate(nb, na, noon(2025, 11, 10)),
            CertificateStatus::ExpiringSoon { days_left: 0, .. }
        ));
        assert!(matches!(
            evaluate(nb, na, na + 1),
            CertificateStatus::ExpiredInGrace { .. }
        ));
        assert!(matches!(
            evaluate(nb, na, nb - 1),
            CertificateStatus::NotYetValid { .. }
        ));
    }
}
