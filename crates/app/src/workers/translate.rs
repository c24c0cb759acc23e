//! The one place where card-domain, camera and face-engine types become the flow's types. The flow and
//! the screens keep their own small enums (`GuidanceKind`, `FrontGuidanceKind`, `ReadFailure`) so that
//! they do not depend on the image code or on PC/SC; every mapping between the two sides is here, as an
//! exhaustive `match`, so a new variant on either side fails to compile until it is placed.

use kiosk_apdu::TransportError;
use kiosk_cardfront::FrontGuidance;
use kiosk_face::{Guidance, MatchDecision, Verdict};
use kiosk_mynumber::CardError;
use kiosk_reception::{FaceEvent, FrontGuidanceKind, GuidanceKind, ReadFailure};

/// Why a card read was refused: the flow's failure and, for a card that answered nonsense, the reason
/// for staff and the log (no personal data: card errors name files, lengths and status words).
#[derive(Debug)]
pub struct ReadRefusal {
    pub failure: ReadFailure,
    pub problem: Option<String>,
}

impl From<ReadFailure> for ReadRefusal {
    fn from(failure: ReadFailure) -> Self {
        ReadRefusal {
            failure,
            problem: None,
        }
    }
}

impl From<CardError> for ReadRefusal {
    fn from(e: CardError) -> Self {
        match e {
            CardError::Transport(t) => read_interrupted(&t).into(),
            other => ReadRefusal {
                failure: ReadFailure::Unreadable,
                problem: Some(format!("card refused: {other}")),
            },
        }
    }
}

/// A transport failure during a card read: the reader or its service went down (nothing to do at the
/// card), or anything else between the card and the reader (placing the card again may help).
fn read_interrupted(e: &TransportError) -> ReadFailure {
    match e {
        TransportError::ServiceDown | TransportError::ReaderGone => ReadFailure::ReaderProblem,
        _ => ReadFailure::Unreadable,
    }
}

/// A failed connect to a card the reader announced: the card went or does not answer (placing it again
/// may help), or anything else, which is the reader's or its service's problem.
pub fn connect_failure(e: &TransportError) -> ReadFailure {
    match e {
        TransportError::CardRemoved | TransportError::CardUnresponsive => ReadFailure::Unreadable,
        _ => ReadFailure::ReaderProblem,
    }
}

pub fn front_guidance_kind(g: FrontGuidance) -> FrontGuidanceKind {
    match g {
        FrontGuidance::ShowCard => FrontGuidanceKind::ShowCard,
        FrontGuidance::Closer => FrontGuidanceKind::Closer,
        FrontGuidance::MoreLight => FrontGuidanceKind::MoreLight,
        FrontGuidance::AvoidGlare => FrontGuidanceKind::AvoidGlare,
        FrontGuidance::HoldStill => FrontGuidanceKind::HoldStill,
    }
}

/// The face engine's guidance for the screen (`None`: the frame is fine).
pub fn guidance_kind(g: Guidance) -> Option<GuidanceKind> {
    Some(match g {
        Guidance::Ok => return None,
        Guidance::NoFace => GuidanceKind::NoFace,
        Guidance::SeveralFaces => GuidanceKind::SeveralFaces,
        Guidance::TooSmall => GuidanceKind::TooSmall,
        Guidance::TooClose => GuidanceKind::TooClose,
        Guidance::OffCentre => GuidanceKind::OffCentre,
        Guidance::TooDark => GuidanceKind::TooDark,
        Guidance::Backlit => GuidanceKind::Backlit,
        Guidance::Blurred => GuidanceKind::Blurred,
    })
}

/// The match policy's decision as the flow's face verdict: a match only when the policy says "same
/// person"; undecided at the time limit counts as not matched.
pub fn face_verdict(decision: &MatchDecision) -> FaceEvent {
    // Distances are in 0..~2 and the record keeps thousandths; `as` saturates, never wraps.
    let distance_milli = decision.distance.map_or(0, |d| (d * 1000.0) as u32);
    let frames = decision.frames_agreed;
    if decision.verdict == Verdict::SamePerson {
        FaceEvent::Matched {
            distance_milli,
            frames,
        }
    } else {
        FaceEvent::NotMatched {
            distance_milli,
            frames,
        }
    }
}
