//! A presentation-attack corpus made from face photos, for `kiosk-face pad-eval` (docs/PAD.md).
//!
//! No real attack videos exist for this project, so the attacks are generated: the picture is a plane in
//! 3-D in front of a 640×480 webcam ([`scene`]), moved as a hand would over the frames, and when the
//! kiosk asks for a head turn the attacker turns the picture that way (the strongest thing a flat picture
//! can do). Attack types ([`Attack`]): the card front held up (the card's own printed photo, the same
//! picture as the chip), a printed photo, a phone or tablet showing a photo, a screen replaying a
//! "video" of the holder turning their head (two photos of the holder at different head angles), and an
//! accomplice: the holder looking straight, then somebody else's head turning in 3-D ([`relief`]).
//!
//! Bona fide presentations are proxies: two photos of the same person at different head angles, the
//! first for the frames before the prompt and the second for the frames during the turn. What a proxy
//! cannot show: real timing (a continuous turn with in-between poses), motion blur, a person who turns
//! too little or too late, real skin under the kiosk's light. A second kind of proxy turns one photo's
//! head in 3-D by a chosen angle ([`relief`]), on a model head shape. docs/PAD.md says what follows.

pub mod media;
pub mod relief;
pub mod scene;
pub mod sequence;

pub use sequence::{Attack, Person, Source};
