//! Agreement over frames: a code is used only when several confident frames in a row read the same
//! digits. One misread frame, however confident, cannot reach the card.

use crate::FrontFields;

/// Where the agreement stands after a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Not yet: `agreeing` confident frames in a row read the same digits.
    Pending { agreeing: usize },
    /// Enough frames agree: these fields.
    Agreed(FrontFields),
}

/// Counts confident frames that read the same fields in a row.
#[derive(Debug, Clone)]
pub struct Agreement {
    need: usize,
    last: Option<FrontFields>,
    agreeing: usize,
    /// Confident frames that contradicted the one before (each resets the count).
    pub conflicts: usize,
}

impl Agreement {
    /// `need` confident frames in a row must agree (at least 2).
    pub fn new(need: usize) -> Agreement {
        Agreement {
            need: need.max(2),
            last: None,
            agreeing: 0,
            conflicts: 0,
        }
    }

    /// Feed one frame's confident read (`None` for a refused frame, which neither counts nor resets:
    /// a blurred frame between two good ones is normal).
    pub fn push(&mut self, read: Option<&FrontFields>) -> Verdict {
        if let Some(fields) = read {
            match &self.last {
                Some(last) if last == fields => self.agreeing += 1,
                Some(_) => {
                    self.conflicts += 1;
                    self.last = Some(fields.clone());
                    self.agreeing = 1;
                }
                None => {
                    self.last = Some(fields.clone());
                    self.agreeing = 1;
                }
            }
        }
        match &self.last {
            Some(f) if self.agreeing >= self.need => {
                let agreed = f.clone();
                self.reset();
                Verdict::Agreed(agreed)
            }
            _ => Verdict::Pending {
                agreeing: self.agreeing,
            },
        }
    }

    /// Forget everything (a new card, a new patient).
    pub fn reset(&mut self) {
        self.last = None;
        self.agreeing = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Era, PrintedBirth, Ymd};

    fn fields(code: u8) -> FrontFields {
        FrontFields {
            birth: PrintedBirth {
                era: Some(Era::Heisei),
                year: 3,
                month: 4,
                day: 5,
            },
            expiry: Ymd { y: 2031, m: 4, d: 5 },
            security_code: [1, 2, 3, code],
        }
    }

    #[test]
    fn three_in_a_row_agree_and_a_contradiction_starts_over() {
        let mut a = Agreement::new(3);
        assert_eq!(a.push(Some(&fields(4))), Verdict::Pending { agreeing: 1 });
        assert_eq!(a.push(None), Verdict::Pending { agreeing: 1 });
        assert_eq!(a.push(Some(&fields(4))), Verdict::Pending { agreeing: 2 });
        assert_eq!(a.push(Some(&fields(7))), Verdict::Pending { agreeing: 1 });
        assert_eq!(a.conflicts, 1);
        assert_eq!(a.push(Some(&fields(7))), Verdict::Pending { agreeing: 2 });
        assert_eq!(a.push(Some(&fields(7))), Verdict::Agreed(fields(7)));
        assert_eq!(a.push(None), Verdict::Pending { agreeing: 0 });
    }
}
