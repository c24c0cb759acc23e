//! The `kiosk-records` thread: the roster (eligibility), the journal and result files, the audit log
//! and the staff codes. SQLite connections are used from this one thread.

use super::{ReplySender, SpawnError, Ticket, spawn};
use crate::staff::StaffCodes;
use kiosk_reception::Qualification;
use kiosk_reception::{EligibilityFailure, ReceptionRecord, StaffCode, WorkerResult};
use kiosk_records::{CheckError, EligibilityBackend, Journal, OutputSettings, RecordsError, RosterEntry};
use std::thread::JoinHandle;
use tokio::sync::mpsc::UnboundedReceiver;

/// Jobs for the `kiosk-records` thread.
pub enum RecordsJob {
    Eligibility {
        ticket: Ticket,
        issuer: String,
        serial: String,
        now: i64,
    },
    Register {
        issuer: String,
        serial: String,
    },
    Save {
        ticket: Ticket,
        record: ReceptionRecord,
    },
    Audit {
        now: i64,
        from: &'static str,
        to: &'static str,
        event: &'static str,
    },
    StaffCode {
        ticket: Ticket,
        code: StaffCode,
    },
    /// Who the genuine card face says holds the card, for the eligibility check that follows.
    HolderOnCard(HolderOnCard),
    Wipe,
    /// Keep one face attempt of a card (its certificate's hash) for the day's limit.
    CountFaceAttempt {
        day: i64,
        card: [u8; 32],
    },
    /// Answer with the journal's reception count (tests and the endurance run).
    Count(std::sync::mpsc::Sender<u64>),
    Stop,
}

impl std::fmt::Debug for RecordsJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RecordsJob::Eligibility { .. } => "Eligibility",
            RecordsJob::Register { .. } => "Register",
            RecordsJob::Save { .. } => "Save",
            RecordsJob::Audit { .. } => "Audit",
            RecordsJob::CountFaceAttempt { .. } => "CountFaceAttempt",
            RecordsJob::StaffCode { .. } => "StaffCode(**)",
            RecordsJob::HolderOnCard(_) => "HolderOnCard(**)",
            RecordsJob::Wipe => "Wipe",
            RecordsJob::Count(_) => "Count",
            RecordsJob::Stop => "Stop",
        })
    }
}

impl std::fmt::Debug for RecordsWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecordsWorker")
    }
}

pub struct RecordsWorker {
    pub roster: Box<dyn EligibilityBackend + Send>,
    pub journal: Journal,
    pub output: OutputSettings,
    pub staff: StaffCodes,
    pub replies: ReplySender,
}

/// The records thread's state: the roster entry of the current reception, and the audit entries lost
/// in a row (a full disk fails every screen change: reported once when it starts and once, with the
/// count, when writing works again).
#[derive(Default)]
struct RecordsState {
    entry: Option<RosterEntry>,
    /// The card face's holder, when the card face was read this session (wiped with the session).
    holder: Option<HolderOnCard>,
    audits_lost: u64,
}

/// The birth date and sex the card face carries, signed by the card's issuer (personal data: redacted
/// in `Debug`, overwritten on drop).
#[derive(Clone, PartialEq, Eq)]
pub struct HolderOnCard {
    pub birth_date: kiosk_mynumber::Date,
    pub sex: u8,
}

impl std::fmt::Debug for HolderOnCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HolderOnCard(<redacted>)")
    }
}

impl Drop for HolderOnCard {
    fn drop(&mut self) {
        self.birth_date = kiosk_mynumber::Date::from_unix_jst(0);
        self.sex = 0;
    }
}

impl HolderOnCard {
    /// Whether the eligibility record describes this holder (the roster keeps `YYYY-MM-DD` and the
    /// JIS X 0303 sex code, as the card face does).
    fn is(&self, entry: &RosterEntry) -> bool {
        self.birth_date.to_string() == entry.birth_date && self.sex == entry.sex
    }
}

impl RecordsWorker {
    pub fn spawn(mut self, mut jobs: UnboundedReceiver<RecordsJob>) -> Result<JoinHandle<()>, SpawnError> {
        spawn("kiosk-records", move || {
            let mut state = RecordsState::default();
            while let Some(job) = jobs.blocking_recv() {
                if matches!(job, RecordsJob::Stop) {
                    break;
                }
                self.on_job(&mut state, job);
            }
        })
    }

    fn on_job(&mut self, state: &mut RecordsState, job: RecordsJob) {
        match job {
            RecordsJob::Stop => {}
            RecordsJob::Eligibility {
                ticket,
                issuer,
                serial,
                now,
            } => {
                let answer = self.eligibility(state, &issuer, &serial, now);
                self.replies.answer(ticket, WorkerResult::Eligibility(answer));
            }
            RecordsJob::Register { issuer, serial } => {
                if let Err(e) = self.roster.register(&issuer, &serial) {
                    self.replies.problem(format!("roster: {e}"));
                }
            }
            RecordsJob::Save { ticket, record } => {
                let saved = self.save(state, &record);
                self.replies.answer(ticket, WorkerResult::RecordSaved(saved));
            }
            RecordsJob::Audit { now, from, to, event } => self.audit(state, now, [from, to, event]),
            RecordsJob::CountFaceAttempt { day, card } => {
                // Not kept: the limit still holds until the kiosk restarts (the flow counts in memory).
                if let Err(e) = self.journal.count_face_attempt(day, &card) {
                    self.replies
                        .problem(format!("journal: face attempt count not kept: {e}"));
                }
            }
            RecordsJob::StaffCode { ticket, code } => {
                let now = crate::core::now_unix();
                let checked = self.staff.check(code.as_str(), now);
                drop(code);
                // Every wrong try and every refusal while locked, in the journal's audit (no digits).
                let staff = match checked {
                    crate::staff::CodeCheck::Staff(id) => Some(id),
                    crate::staff::CodeCheck::Wrong { delay_secs, .. } => {
                        let event = if delay_secs > 0 {
                            "StaffCodeWrongPadLocked"
                        } else {
                            "StaffCodeWrong"
                        };
                        self.audit(state, now, ["StaffLogin", "StaffLogin", event]);
                        None
                    }
                    crate::staff::CodeCheck::Locked { .. } => {
                        self.audit(
                            state,
                            now,
                            ["StaffLogin", "StaffLogin", "StaffCodeRefusedPadLocked"],
                        );
                        None
                    }
                };
                self.replies.answer(ticket, WorkerResult::StaffCodeChecked(staff));
            }
            RecordsJob::HolderOnCard(holder) => state.holder = Some(holder),
            RecordsJob::Wipe => {
                state.entry = None;
                state.holder = None;
            }
            RecordsJob::Count(tx) => {
                if tx.send(self.journal.reception_count().unwrap_or(0)).is_err() {
                    eprintln!("kiosk: the reception count was asked for and then not waited for");
                }
            }
        }
    }

    fn eligibility(
        &mut self,
        state: &mut RecordsState,
        issuer: &str,
        serial: &str,
        now: i64,
    ) -> Result<kiosk_reception::EligibilityAnswer, EligibilityFailure> {
        let today = kiosk_mynumber::Date::from_unix_jst(now);
        match self.roster.check(issuer, serial, today) {
            Ok((_, Some(entry))) if state.holder.as_ref().is_some_and(|holder| !holder.is(&entry)) => {
                // Card face and certificate each check out, but they are not one person's: a composite
                // or relayed card (issue 20). Nothing personal in the message.
                self.replies.problem(
                    "card refused: the card face's birth date and sex are not those of the eligibility \
                     record for the card's certificate (a composite or relayed card?)"
                        .into(),
                );
                Err(EligibilityFailure::HolderMismatch)
            }
            Ok((answer, found)) => {
                if answer.qualification != Qualification::Valid {
                    // The reception ends here: the receipt computer gets this outcome's file too.
                    self.check_ended(now, Ok((answer.qualification, found.as_ref())));
                }
                state.entry = found;
                Ok(answer)
            }
            Err(RecordsError::CertificateRevoked(why)) => {
                self.replies.problem(
                    "eligibility: the card's certificate is revoked; the patient is told why".into(),
                );
                self.check_ended(now, Err(CheckError::CertificateRevoked));
                Err(EligibilityFailure::CertificateRevoked(why.revocation()))
            }
            Err(e) => {
                self.replies.problem(format!("roster: {e}"));
                let error = match e {
                    RecordsError::MalformedEntry(_) => CheckError::EntryUnreadable,
                    _ => CheckError::SourceUnavailable,
                };
                self.check_ended(now, Err(error));
                Err(EligibilityFailure::Error)
            }
        }
    }

    /// Journal a reception that ended at the eligibility check and write its result file; a failure
    /// is reported (the patient is already on the way to the counter).
    fn check_ended(&mut self, now: i64, outcome: Result<(Qualification, Option<&RosterEntry>), CheckError>) {
        if let Err(e) = self.journal.check_ended(now, outcome, &self.output) {
            self.replies.problem(format!("journal: {e}"));
        }
    }

    /// Journal the reception and write its result file; whether both worked.
    fn save(&mut self, state: &RecordsState, record: &ReceptionRecord) -> bool {
        let Some(entry) = state.entry.as_ref() else {
            self.replies
                .problem("journal: no roster entry for this reception".into());
            return false;
        };
        match self.journal.complete(record, entry, &self.output) {
            Ok(_) => true,
            Err(e) => {
                self.replies.problem(format!("journal: {e}"));
                false
            }
        }
    }

    fn audit(&mut self, state: &mut RecordsState, now: i64, [from, to, event]: [&'static str; 3]) {
        match self.journal.audit(now, from, to, event) {
            Err(e) => {
                if state.audits_lost == 0 {
                    self.replies.problem(format!(
                        "audit log: {e} (further audit entries are lost until it works again)"
                    ));
                }
                state.audits_lost += 1;
            }
            Ok(()) if state.audits_lost > 0 => {
                self.replies.problem(format!(
                    "audit log: writing works again; {} audit entries were lost",
                    state.audits_lost
                ));
                state.audits_lost = 0;
            }
            Ok(()) => {}
        }
    }
}
