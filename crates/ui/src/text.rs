//! Typed keys for every text on the screens, and the tables from the flow's enums to them.
//!
//! Screens name a text by a [`Text`] variant, never by a string built at run time, so a renamed flow
//! variant or a typo cannot show a raw key to the patient: the compiler finds it. The TOML files stay the
//! source of the wording; [`Text::key`] is the one place that ties a variant to its key there.

use kiosk_screens::{
    ConsentItem, CounterReason, EligibilityFailure, FrontGuidanceKind, GuidanceKind, Method, Prescription,
    Qualification, Revocation,
};

/// Declares [`Text`], its key table and [`Text::ALL`] from one list, so a variant cannot lack a key or be
/// left out of `ALL` (what the completeness tests iterate over).
macro_rules! texts {
    ($($variant:ident = $key:literal,)*) => {
        /// A text on the kiosk's screens, in Japanese and English (`assets/strings/{ja,en}.toml`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Text {
            $($variant,)*
        }

        impl Text {
            /// Every text, in the order of the TOML files.
            pub const ALL: &'static [Text] = &[$(Text::$variant,)*];

            /// The text's key in `assets/strings/{ja,en}.toml`.
            pub fn key(self) -> &'static str {
                match self {
                    $(Text::$variant => $key,)*
                }
            }
        }
    };
}

texts! {
    AppTitle = "app.title",
    CommonLanguage = "common.language",
    CommonHelp = "common.help",
    CommonOk = "common.ok",
    CommonTakeCard = "common.take_card",
    CommonStopHint = "common.stop_hint",
    CommonBack = "common.back",
    CommonStop = "common.stop",
    BusyCard = "busy.card",
    BusyFace = "busy.face",
    BusyPin = "busy.pin",
    StepCard = "step.card",
    StepIdentity = "step.identity",
    StepConsent = "step.consent",
    StepDone = "step.done",
    HelpTitle = "help.title",
    HelpBody = "help.body",
    HelpClose = "help.close",
    TimeoutTitle = "timeout.title",
    TimeoutBody = "timeout.body",
    TimeoutMore = "timeout.more",
    IdleTitle = "idle.title",
    IdleBody = "idle.body",
    ReadingTitle = "reading.title",
    ReadingBody = "reading.body",
    NotMyNumberTitle = "not_mynumber.title",
    NotMyNumberBody = "not_mynumber.body",
    UnreadableTitle = "unreadable.title",
    UnreadableBody = "unreadable.body",
    ReaderProblemTitle = "reader_problem.title",
    ReaderProblemBody = "reader_problem.body",
    IdlePhone = "idle.phone",
    PhoneGuideTitle = "phone_guide.title",
    PhoneGuideBody = "phone_guide.body",
    PhoneGuideAndroid = "phone_guide.android",
    PhoneGuideIphone = "phone_guide.iphone",
    PhoneGuideWhereReader = "phone_guide.where_reader",
    PhoneGuideWherePhoneReader = "phone_guide.where_phone_reader",
    PhonePinTitle = "phone_pin.title",
    PhonePinBody = "phone_pin.body",
    PhonePinBlockedTitle = "phone_pin_blocked.title",
    PhonePinBlockedBody = "phone_pin_blocked.body",
    PhoneNotConfirmedTitle = "phone_not_confirmed.title",
    PhoneNotConfirmedBody = "phone_not_confirmed.body",
    PhoneRemovedTitle = "phone_removed.title",
    PhoneRemovedBody = "phone_removed.body",
    PhoneTakePhone = "phone.take_phone",
    CertExpiringTitle = "cert_expiring.title",
    CertExpiringBody = "cert_expiring.body",
    CertGraceTitle = "cert_grace.title",
    CertGraceBody = "cert_grace.body",
    MethodTitle = "method.title",
    MethodFace = "method.face",
    MethodPin = "method.pin",
    MethodStaff = "method.staff",
    MethodStaffNote = "method.staff_note",
    MethodFaceLoading = "method.face_loading",
    CardFaceTitle = "card_face.title",
    CardFaceBody = "card_face.body",
    CardFaceStepLift = "card_face.step_lift",
    CardFaceStepShow = "card_face.step_show",
    CardFaceStepBack = "card_face.step_back",
    CardFaceAway = "card_face.away",
    CardFaceChecking = "card_face.checking",
    CardFaceBack = "card_face.back",
    CardFaceOnReaderTitle = "card_face.on_reader_title",
    CardFaceOnReaderBody = "card_face.on_reader_body",
    FrontShowCard = "front.ShowCard",
    FrontCloser = "front.Closer",
    FrontMoreLight = "front.MoreLight",
    FrontAvoidGlare = "front.AvoidGlare",
    FrontHoldStill = "front.HoldStill",
    FrontOk = "front.ok",
    FaceTitle = "face.title",
    FaceAttempt = "face.attempt",
    FaceTurnLeft = "face.turn_left",
    FaceTurnRight = "face.turn_right",
    FaceTurnBody = "face.turn_body",
    GuidanceNoFace = "guidance.NoFace",
    GuidanceSeveralFaces = "guidance.SeveralFaces",
    GuidanceTooSmall = "guidance.TooSmall",
    GuidanceTooClose = "guidance.TooClose",
    GuidanceOffCentre = "guidance.OffCentre",
    GuidanceTooDark = "guidance.TooDark",
    GuidanceBacklit = "guidance.Backlit",
    GuidanceBlurred = "guidance.Blurred",
    GuidanceOk = "guidance.ok",
    FaceFailedTitle = "face_failed.title",
    FaceFailedBody = "face_failed.body",
    NoPhotoTitle = "no_photo.title",
    NoPhotoBody = "no_photo.body",
    PinTitle = "pin.title",
    PinProxy = "pin.proxy",
    PinTries = "pin.tries",
    PinWrong = "pin.wrong",
    PinLastTry = "pin.last_try",
    PinVerifying = "pin.verifying",
    PinDelete = "pin.delete",
    PinConfirm = "pin.confirm",
    PinEntered = "pin.entered",
    PadIncomplete = "pin.incomplete",
    StaffCodeTooShort = "staff_login.too_short",
    PinBlockedTitle = "pin_blocked.title",
    PinBlockedBody = "pin_blocked.body",
    PinBlockedBodyFace = "pin_blocked.body_face",
    StaffLoginTitle = "staff_login.title",
    StaffLoginFailed = "staff_login.failed",
    StaffWaitingTitle = "staff_waiting.title",
    StaffWaitingBody = "staff_waiting.body",
    StaffCheckTitle = "staff_check.title",
    StaffCheckBody = "staff_check.body",
    StaffCheckCardPhoto = "staff_check.card_photo",
    StaffCheckConfirm = "staff_check.confirm",
    StaffCheckRefuse = "staff_check.refuse",
    StaffCheckReading = "staff_check.reading",
    StaffCheckType = "staff_check.type",
    StaffCheckRefused = "staff_check.refused",
    EligibilityTitle = "eligibility.title",
    EligibilityBody = "eligibility.body",
    RegistrationTitle = "registration.title",
    RegistrationBody = "registration.body",
    RegistrationYes = "registration.yes",
    RegistrationNo = "registration.no",
    RegisteredTitle = "registered.title",
    RegisteredBody = "registered.body",
    ProblemTitle = "problem.title",
    ProblemInvalid = "problem.2",
    ProblemInvalidNewExists = "problem.3",
    ProblemNoRecord = "problem.4",
    ProblemMultiple = "problem.5",
    ProblemFailure = "problem.failure",
    ProblemRevokedMovedOut = "problem.revoked.MovedOut",
    ProblemRevokedMovedAbroad = "problem.revoked.MovedAbroad",
    ProblemRevokedOther = "problem.revoked.Other",
    NoSharingTitle = "no_sharing.title",
    NoSharingBody = "no_sharing.body",
    ConsentTitle = "consent.title",
    ConsentBody = "consent.body",
    ConsentAll = "consent.all",
    ConsentNone = "consent.none",
    ConsentEach = "consent.each",
    ConsentItemsTitle = "consent.items_title",
    ConsentItemSurgery = "consent.item.Surgery",
    ConsentItemTreatmentAndMedicine = "consent.item.TreatmentAndMedicine",
    ConsentItemHealthCheckups = "consent.item.HealthCheckups",
    ConsentAgree = "consent.agree",
    ConsentDisagree = "consent.disagree",
    ConsentNext = "consent.next",
    ConsentNextNote = "consent.next_note",
    ConsentReviewTitle = "consent.review_title",
    ConsentConfirm = "consent.confirm",
    ConsentChange = "consent.change",
    PrescriptionTitle = "prescription.title",
    PrescriptionPaper = "prescription.paper",
    PrescriptionElectronic = "prescription.electronic",
    SavingTitle = "saving.title",
    DoneTitle = "done.title",
    DoneBody = "done.body",
    DonePublicExpense = "done.public_expense",
    CounterTitle = "counter.title",
    CounterCertificateNotUsable = "counter.CertificateNotUsable",
    CounterNoMethodLeft = "counter.NoMethodLeft",
    CounterStaffRefused = "counter.StaffRefused",
    CounterPinCardError = "counter.PinCardError",
    CounterRegistrationDeclined = "counter.RegistrationDeclined",
    CounterRecordNotSaved = "counter.RecordNotSaved",
    CounterTimedOut = "counter.TimedOut",
    CounterHolderMismatch = "counter.HolderMismatch",
    CounterOtherCardReturned = "counter.OtherCardReturned",
    StoppedTitle = "stopped.title",
    StoppedBody = "stopped.body",
    LanguageTitle = "language.title",
    LanguageClose = "language.close",
}

/// The face engine's hint under the live picture (`None`: the frame is fine, hold on).
pub(crate) fn guidance_text(g: Option<GuidanceKind>) -> Text {
    match g {
        None => Text::GuidanceOk,
        Some(GuidanceKind::NoFace) => Text::GuidanceNoFace,
        Some(GuidanceKind::SeveralFaces) => Text::GuidanceSeveralFaces,
        Some(GuidanceKind::TooSmall) => Text::GuidanceTooSmall,
        Some(GuidanceKind::TooClose) => Text::GuidanceTooClose,
        Some(GuidanceKind::OffCentre) => Text::GuidanceOffCentre,
        Some(GuidanceKind::TooDark) => Text::GuidanceTooDark,
        Some(GuidanceKind::Backlit) => Text::GuidanceBacklit,
        Some(GuidanceKind::Blurred) => Text::GuidanceBlurred,
    }
}

/// The card-front reader's hint under the live picture (`None`: the front is readable, hold on).
pub(crate) fn front_guidance_text(g: Option<FrontGuidanceKind>) -> Text {
    match g {
        None => Text::FrontOk,
        Some(FrontGuidanceKind::ShowCard) => Text::FrontShowCard,
        Some(FrontGuidanceKind::Closer) => Text::FrontCloser,
        Some(FrontGuidanceKind::MoreLight) => Text::FrontMoreLight,
        Some(FrontGuidanceKind::AvoidGlare) => Text::FrontAvoidGlare,
        Some(FrontGuidanceKind::HoldStill) => Text::FrontHoldStill,
    }
}

/// The button for a way of proving who holds the card (the PIN's text takes its tries left as `{n}`).
pub(crate) fn method_text(m: Method) -> Text {
    match m {
        Method::Face => Text::MethodFace,
        Method::Pin => Text::MethodPin,
    }
}

/// Why the patient is sent to the counter.
pub(crate) fn counter_text(r: CounterReason) -> Text {
    match r {
        CounterReason::CertificateNotUsable => Text::CounterCertificateNotUsable,
        CounterReason::NoMethodLeft => Text::CounterNoMethodLeft,
        CounterReason::StaffRefused => Text::CounterStaffRefused,
        CounterReason::PinCardError => Text::CounterPinCardError,
        CounterReason::RegistrationDeclined => Text::CounterRegistrationDeclined,
        CounterReason::RecordNotSaved => Text::CounterRecordNotSaved,
        CounterReason::TimedOut => Text::CounterTimedOut,
        CounterReason::HolderMismatch => Text::CounterHolderMismatch,
        CounterReason::OtherCardReturned => Text::CounterOtherCardReturned,
    }
}

/// The eligibility answer on the problem screen. The valid answers never end there (valid goes on,
/// valid-but-unregistered goes to the registration offer), so they have no text: should one arrive, the
/// screen says nothing beyond its title rather than a wrong reason.
pub(crate) fn qualification_text(q: Qualification) -> Option<Text> {
    match q {
        Qualification::Invalid => Some(Text::ProblemInvalid),
        Qualification::InvalidNewExists => Some(Text::ProblemInvalidNewExists),
        Qualification::NoRecord => Some(Text::ProblemNoRecord),
        Qualification::Multiple => Some(Text::ProblemMultiple),
        Qualification::Valid => None,
    }
}

/// The eligibility check itself failed: both cases send the patient to the desk with their papers.
pub(crate) fn eligibility_failure_text(f: EligibilityFailure) -> Text {
    match f {
        // A mismatch goes to the counter screen, never here; should it arrive, the failure text fits it.
        EligibilityFailure::Timeout | EligibilityFailure::Error | EligibilityFailure::HolderMismatch => {
            Text::ProblemFailure
        }
        EligibilityFailure::CertificateRevoked(Revocation::MovedOut) => Text::ProblemRevokedMovedOut,
        EligibilityFailure::CertificateRevoked(Revocation::MovedAbroad) => Text::ProblemRevokedMovedAbroad,
        EligibilityFailure::CertificateRevoked(Revocation::Other) => Text::ProblemRevokedOther,
    }
}

pub(crate) fn consent_item_text(i: ConsentItem) -> Text {
    match i {
        ConsentItem::Surgery => Text::ConsentItemSurgery,
        ConsentItem::TreatmentAndMedicine => Text::ConsentItemTreatmentAndMedicine,
        ConsentItem::HealthCheckups => Text::ConsentItemHealthCheckups,
    }
}

pub(crate) fn prescription_text(p: Prescription) -> Text {
    match p {
        Prescription::Paper => Text::PrescriptionPaper,
        Prescription::Electronic => Text::PrescriptionElectronic,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_text_has_its_own_key() {
        let keys: HashSet<&str> = Text::ALL.iter().map(|t| t.key()).collect();
        assert_eq!(keys.len(), Text::ALL.len(), "two texts share a key");
        let texts: HashSet<Text> = Text::ALL.iter().copied().collect();
        assert_eq!(texts.len(), Text::ALL.len(), "a text is listed twice");
    }

    /// `Strings` finds a text at `text as usize` in its tables, which are built in the order of `ALL`.
    #[test]
    fn all_is_in_declaration_order() {
        for (i, &t) in Text::ALL.iter().enumerate() {
            assert_eq!(t as usize, i, "{t:?}");
        }
    }
}
