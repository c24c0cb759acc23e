//! The virtual card's printed front: its fields as the card prints them (birth date in the era for a
//! Japanese national, Gregorian otherwise; the era worked out here independently of the kiosk's reader),
//! drawn by `kiosk-cardfront` with the card's own photo, and photographed for tests and demos.

use crate::Profile;
use kiosk_cardfront::synth::{Variation, photograph};
use kiosk_cardfront::{Era, FrontFields, PrintedBirth, PrintedFront, RgbImage, Ymd};

impl Profile {
    /// What the card front prints.
    pub fn printed_front(&self) -> PrintedFront {
        let b = self.birth_date;
        let era = if self.japanese_national {
            crate::era::era_of(b.y, b.m, b.d).and_then(|(name, year)| Some((Era::from_name(name)?, year)))
        } else {
            None
        };
        let birth = match era {
            Some((era, year)) => PrintedBirth {
                era: Some(era),
                year,
                month: b.m,
                day: b.d,
            },
            None => PrintedBirth {
                era: None,
                year: b.y,
                month: b.m,
                day: b.d,
            },
        };
        let mut security_code = [0u8; 4];
        for (slot, c) in security_code.iter_mut().zip(self.security_code.bytes()) {
            *slot = c.wrapping_sub(b'0') % 10;
        }
        let e = self.card_expiry;
        PrintedFront {
            name: self.holder_name.clone(),
            address: self.address.clone(),
            sex: self.sex,
            fields: FrontFields {
                birth,
                expiry: Ymd {
                    y: e.y,
                    m: e.m,
                    d: e.d,
                },
                security_code,
            },
        }
    }

    /// The card front, straight (see `kiosk_cardfront::layout` for the size).
    pub fn draw_front(&self) -> RgbImage {
        let photo = self.photo_jp2.as_deref().and_then(|b| RgbImage::decode(b).ok());
        kiosk_cardfront::render(&self.printed_front(), photo.as_ref())
    }

    /// The card front as a `width × height` camera would see it.
    pub fn photograph_front(&self, variation: Variation, seed: u64, width: usize, height: usize) -> RgbImage {
        photograph(&self.draw_front(), variation, seed, width, height)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printed_fields_make_the_cards_own_check_code() {
        for name in Profile::embedded_names() {
            let p = Profile::embedded(name).expect("embedded profile");
            let front = p.printed_front();
            assert_eq!(front.fields.check_code_b().as_str(), p.check_code_b(), "{name}");
        }
    }
}
