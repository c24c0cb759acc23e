//! PC/SC for the kiosk: the only crate that links `pcsc`.
//!
//! * [`Pcsc::readers`] lists readers; [`Monitor`] turns reader and card changes into [`ReaderEvent`]s from a
//!   thread that blocks in `SCardGetStatusChange` (no busy polling; it wakes at most every 2 s to notice
//!   readers on stacks without plug-and-play notification).
//! * [`PcscChannel`] is a [`CardChannel`] on one card, connected exclusively: while the kiosk reads a card
//!   and holds a verified PIN, no other application can talk to it. Dropping it powers the card off
//!   (`SCARD_UNPOWER_CARD`), which clears the card's verified PINs: a warm reset does not (docs/CARD-NOTES.md
//!   §1.2, as measured on real cards).
//! * Every `pcsc` error becomes a [`TransportError`] a screen can act on.

// Like kiosk-apdu: lengths crossing the PC/SC boundary are never narrowed unchecked.
#![warn(clippy::cast_possible_truncation)]

use kiosk_apdu::{CardChannel, TransportError};
use pcsc::{Context, Disposition, Protocols, ReaderState, Scope, ShareMode, State};
use std::collections::BTreeMap;
use std::ffi::{CStr, CString};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;
use std::time::Duration;
use zeroize::{Zeroize, Zeroizing};

/// Map a PC/SC error onto the transport errors the rest of the kiosk understands.
pub fn map_error(e: pcsc::Error) -> TransportError {
    use pcsc::Error as E;
    match e {
        E::NoService | E::ServiceStopped => TransportError::ServiceDown,
        E::NoReadersAvailable | E::UnknownReader => TransportError::NoReader,
        E::ReaderUnavailable => TransportError::ReaderGone,
        E::RemovedCard => TransportError::CardRemoved,
        E::NoSmartcard => TransportError::NoCard,
        E::ResetCard => TransportError::CardReset,
        E::SharingViolation => TransportError::SharingViolation,
        E::UnresponsiveCard | E::UnpoweredCard | E::UnsupportedCard | E::ProtoMismatch => {
            TransportError::CardUnresponsive
        }
        E::Timeout => TransportError::Timeout,
        other => TransportError::Other(other.to_string()),
    }
}

/// A PC/SC context.
#[derive(Clone)]
pub struct Pcsc {
    ctx: Context,
}

impl std::fmt::Debug for Pcsc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pcsc")
    }
}

impl Pcsc {
    /// Connect to the PC/SC service (pcscd). `ServiceDown` when it is not running.
    pub fn establish() -> Result<Pcsc, TransportError> {
        Context::establish(Scope::User)
            .map(|ctx| Pcsc { ctx })
            .map_err(map_error)
    }

    /// Reader names; an empty list when none is connected.
    pub fn readers(&self) -> Result<Vec<String>, TransportError> {
        match self.ctx.list_readers_owned() {
            Ok(names) => Ok(names.iter().map(|n| n.to_string_lossy().into_owned()).collect()),
            Err(pcsc::Error::NoReadersAvailable) => Ok(Vec::new()),
            Err(e) => Err(map_error(e)),
        }
    }

    /// Whether a card is in `reader` right now, with its ATR.
    pub fn card_atr(&self, reader: &str) -> Result<Option<Vec<u8>>, TransportError> {
        let name = CString::new(reader).map_err(|_| TransportError::NoReader)?;
        let mut states = [ReaderState::new(name, State::UNAWARE)];
        self.ctx
            .get_status_change(Duration::ZERO, &mut states)
            .map_err(map_error)?;
        let s = &states[0];
        if s.event_state().intersects(State::UNKNOWN | State::UNAVAILABLE) {
            return Err(TransportError::ReaderGone);
        }
        Ok(s.event_state().contains(State::PRESENT).then(|| s.atr().to_vec()))
    }

    /// Connect exclusively to the card in `reader`.
    pub fn connect(&self, reader: &str) -> Result<PcscChannel, TransportError> {
        let name = CString::new(reader).map_err(|_| TransportError::NoReader)?;
        let card = self
            .ctx
            .connect(&name, ShareMode::Exclusive, Protocols::ANY)
            .map_err(map_error)?;
        Ok(PcscChannel {
            card: Some(card),
            reader: reader.to_string(),
            buffer: Zeroizing::new(vec![0; pcsc::MAX_BUFFER_SIZE_EXTENDED]),
            card_gone: false,
        })
    }
}

/// An exclusive connection to one card: a [`CardChannel`].
pub struct PcscChannel {
    /// `None` only after [`PcscChannel::close`] or during drop.
    card: Option<pcsc::Card>,
    reader: String,
    /// The receive buffer, reused for every answer. What the card answered (the card face, the basic
    /// four items) is wiped from it as soon as it is copied out, and the whole buffer on drop.
    buffer: Zeroizing<Vec<u8>>,
    /// The card left (or went mute) during a command: do not try to power it off on disconnect (a reset or
    /// power-off of an absent card can block in the reader driver; measured with vpcd: over a minute).
    card_gone: bool,
}

impl std::fmt::Debug for PcscChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PcscChannel({:?})", self.reader)
    }
}

impl PcscChannel {
    pub fn reader(&self) -> &str {
        &self.reader
    }

    fn card(&self) -> Result<&pcsc::Card, TransportError> {
        self.card.as_ref().ok_or(TransportError::NoCard)
    }

    /// The card's ATR.
    pub fn atr(&self) -> Result<Vec<u8>, TransportError> {
        self.card()?
            .status2_owned()
            .map(|s| s.atr().to_vec())
            .map_err(map_error)
    }

    /// Release the card and power it off, so no verified PIN survives for the next patient. A card that
    /// already left is just released.
    pub fn close(mut self) -> Result<(), TransportError> {
        self.disconnect()
    }

    fn disconnect(&mut self) -> Result<(), TransportError> {
        let disposition = release_disposition(self.card_gone);
        match self.card.take() {
            Some(card) => card.disconnect(disposition).map_err(|(_, e)| map_error(e)),
            None => Ok(()),
        }
    }

    fn transmit_inner(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let card = self.card.as_mut().ok_or(TransportError::NoCard)?;
        let received = card.transmit(command, &mut self.buffer).map(<[u8]>::len);
        let answer = received.map(|len| take_answer(&mut self.buffer, len));
        match answer {
            Ok(response) if response.len() >= 2 => Ok(response),
            Ok(_) => {
                // No status word: some readers (and vpcd) answer this way when the card leaves during
                // the command. Ask the reader whether the card is still there.
                Err(match card.status2_owned() {
                    Ok(s) if s.status().contains(pcsc::Status::PRESENT) => TransportError::CardUnresponsive,
                    Ok(_) => TransportError::CardRemoved,
                    Err(e) => match map_error(e) {
                        TransportError::Other(_) => TransportError::CardRemoved,
                        other => other,
                    },
                })
            }
            Err(pcsc::Error::ResetCard) => {
                // Another application reset the card: reconnect so the next command works, and tell the
                // caller, whose selection and verified PINs are gone (it must not resend a VERIFY).
                card.reconnect(ShareMode::Exclusive, Protocols::ANY, Disposition::LeaveCard)
                    .map_err(map_error)?;
                Err(TransportError::CardReset)
            }
            Err(e) => Err(map_error(e)),
        }
    }
}

/// Copy the answer out of the receive buffer (`len` bytes at its start) and wipe those bytes there, so
/// a patient's data does not wait in the buffer until the next answer overwrites it.
fn take_answer(buffer: &mut [u8], len: usize) -> Vec<u8> {
    let len = len.min(buffer.len());
    let used = &mut buffer[..len];
    let answer = used.to_vec();
    used.zeroize();
    answer
}

/// How the kiosk lets go of a card. A card still in the reader is powered off (pcsc-lite powers it down
/// and up again): on the real card a warm reset keeps a verified PIN, only power-off clears it
/// (docs/CARD-NOTES.md §1.2). A card that left or stopped answering is only released: there is nothing to
/// power off, and a reset or power-off of an absent card can block in the reader driver.
fn release_disposition(card_gone: bool) -> Disposition {
    if card_gone {
        Disposition::LeaveCard
    } else {
        Disposition::UnpowerCard
    }
}

impl Drop for PcscChannel {
    fn drop(&mut self) {
        let _ = self.disconnect();
    }
}

impl CardChannel for PcscChannel {
    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let result = self.transmit_inner(command);
        // A card that left, or stopped answering, is not powered off on disconnect: there is nothing to
        // power off, and a reset or power-off of an absent card can block in the reader driver.
        if matches!(
            result,
            Err(TransportError::CardRemoved
                | TransportError::NoCard
                | TransportError::ReaderGone
                | TransportError::CardUnresponsive)
        ) {
            self.card_gone = true;
        }
        result
    }
}

/// A change in the readers or cards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderEvent {
    ReaderAdded(String),
    ReaderRemoved(String),
    CardInserted {
        reader: String,
        atr: Vec<u8>,
    },
    CardRemoved {
        reader: String,
    },
    /// pcscd went away (stopped or crashed); the monitor reconnects when it is back.
    ServiceDown,
    ServiceUp,
}

/// Watches readers and cards on a thread and sends [`ReaderEvent`]s. Stops when dropped.
pub struct Monitor {
    stop: Arc<AtomicBool>,
    ctx: Arc<std::sync::Mutex<Option<Context>>>,
    thread: Option<JoinHandle<()>>,
    events: Receiver<ReaderEvent>,
}

impl std::fmt::Debug for Monitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Monitor")
    }
}

/// Longest wait in one `SCardGetStatusChange` call.
const WAKE_EVERY: Duration = Duration::from_secs(2);

impl Monitor {
    /// Start watching. The first events describe the readers and cards present now.
    pub fn start() -> Result<Monitor, TransportError> {
        let (tx, events) = channel();
        let stop = Arc::new(AtomicBool::new(false));
        let ctx = Arc::new(std::sync::Mutex::new(None));
        let thread = {
            let (stop, ctx) = (stop.clone(), ctx.clone());
            std::thread::Builder::new()
                .name("pcsc-monitor".into())
                .spawn(move || watch(&tx, &stop, &ctx))
                .map_err(|e| TransportError::Other(e.to_string()))?
        };
        Ok(Monitor {
            stop,
            ctx,
            thread: Some(thread),
            events,
        })
    }

    pub fn events(&self) -> &Receiver<ReaderEvent> {
        &self.events
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(ctx) = self.ctx.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            let _ = ctx.cancel();
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn watch(tx: &Sender<ReaderEvent>, stop: &AtomicBool, shared: &std::sync::Mutex<Option<Context>>) {
    // What we told the listener so far: reader name → card present.
    let mut known: BTreeMap<String, bool> = BTreeMap::new();
    let mut service_down_sent = false;
    while !stop.load(Ordering::SeqCst) {
        let ctx = match Context::establish(Scope::User) {
            Ok(c) => c,
            Err(_) => {
                if !service_down_sent {
                    service_down_sent = true;
                    for (reader, present) in std::mem::take(&mut known) {
                        if present {
                            let _ = tx.send(ReaderEvent::CardRemoved {
                                reader: reader.clone(),
                            });
                        }
                        let _ = tx.send(ReaderEvent::ReaderRemoved(reader));
                    }
                    let _ = tx.send(ReaderEvent::ServiceDown);
                }
                std::thread::sleep(Duration::from_millis(250));
                continue;
            }
        };
        if service_down_sent {
            service_down_sent = false;
            let _ = tx.send(ReaderEvent::ServiceUp);
        }
        *shared.lock().unwrap_or_else(|e| e.into_inner()) = Some(ctx.clone());
        if stop.load(Ordering::SeqCst) {
            break;
        }
        watch_with(&ctx, tx, stop, &mut known);
        *shared.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// Watch until the service goes away or `stop` is set.
fn watch_with(
    ctx: &Context,
    tx: &Sender<ReaderEvent>,
    stop: &AtomicBool,
    known: &mut BTreeMap<String, bool>,
) {
    let mut pnp = ReaderState::new(pcsc::PNP_NOTIFICATION(), State::UNAWARE);
    let mut states: BTreeMap<String, ReaderState> = BTreeMap::new();
    while !stop.load(Ordering::SeqCst) {
        let names = match ctx.list_readers_owned() {
            Ok(n) => n,
            Err(pcsc::Error::NoReadersAvailable) => Vec::new(),
            Err(_) => return,
        };
        let names: Vec<String> = names.iter().map(|n| n.to_string_lossy().into_owned()).collect();
        // Readers that went away.
        let gone: Vec<String> = known.keys().filter(|k| !names.contains(k)).cloned().collect();
        for reader in gone {
            if known.remove(&reader) == Some(true) {
                let _ = tx.send(ReaderEvent::CardRemoved {
                    reader: reader.clone(),
                });
            }
            states.remove(&reader);
            let _ = tx.send(ReaderEvent::ReaderRemoved(reader));
        }
        for name in &names {
            if !known.contains_key(name) {
                known.insert(name.clone(), false);
                let _ = tx.send(ReaderEvent::ReaderAdded(name.clone()));
            }
            if !states.contains_key(name)
                && let Ok(c) = CString::new(name.as_str())
            {
                states.insert(name.clone(), ReaderState::new(c, State::UNAWARE));
            }
        }
        let mut all: Vec<ReaderState> = Vec::with_capacity(states.len() + 1);
        all.push(ReaderState::new(pcsc::PNP_NOTIFICATION(), pnp.current_state()));
        let order: Vec<String> = states.keys().cloned().collect();
        for name in &order {
            let s = &states[name];
            all.push(ReaderState::new(CString::from(s.name()), s.current_state()));
        }
        match ctx.get_status_change(WAKE_EVERY, &mut all) {
            Ok(()) | Err(pcsc::Error::Timeout) => {}
            Err(pcsc::Error::Cancelled) | Err(pcsc::Error::UnknownReader) => continue,
            Err(_) => return,
        }
        all[0].sync_current_state();
        pnp = ReaderState::new(pcsc::PNP_NOTIFICATION(), all[0].current_state());
        for (name, state) in order.iter().zip(all.iter_mut().skip(1)) {
            let event = state.event_state();
            let present = event.contains(State::PRESENT) && !event.contains(State::MUTE);
            let was = known.get(name).copied().unwrap_or(false);
            if present && !was {
                let _ = tx.send(ReaderEvent::CardInserted {
                    reader: name.clone(),
                    atr: state.atr().to_vec(),
                });
            } else if !present && was {
                let _ = tx.send(ReaderEvent::CardRemoved { reader: name.clone() });
            }
            if known.contains_key(name) {
                known.insert(name.clone(), present);
            }
            state.sync_current_state();
            let current = state.current_state();
            states.insert(
                name.clone(),
                ReaderState::new(CString::from(state.name() as &CStr), current),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_wiped_from_the_receive_buffer_once_copied_out() {
        let mut buffer = vec![0u8; 64];
        buffer[..6].copy_from_slice(&[0xDF, 0x22, 0x02, 0x31, 0x90, 0x00]);
        let answer = take_answer(&mut buffer, 6);
        assert_eq!(answer, [0xDF, 0x22, 0x02, 0x31, 0x90, 0x00]);
        assert!(buffer.iter().all(|&b| b == 0), "{buffer:?}");
        // A length past the buffer (a driver bug) takes what is there, no panic.
        buffer[0] = 0x61;
        assert_eq!(take_answer(&mut buffer, 100).len(), 64);
        assert_eq!(buffer[0], 0);
    }

    #[test]
    fn a_card_still_there_is_powered_off_and_a_card_gone_only_released() {
        // A warm reset (ResetCard) would leave the patient's verified PIN on the card.
        assert_eq!(release_disposition(false), Disposition::UnpowerCard);
        assert_eq!(release_disposition(true), Disposition::LeaveCard);
    }

    #[test]
    fn every_error_a_screen_must_explain_is_typed() {
        assert_eq!(map_error(pcsc::Error::NoService), TransportError::ServiceDown);
        assert_eq!(map_error(pcsc::Error::RemovedCard), TransportError::CardRemoved);
        assert_eq!(map_error(pcsc::Error::NoSmartcard), TransportError::NoCard);
        assert_eq!(
            map_error(pcsc::Error::ReaderUnavailable),
            TransportError::ReaderGone
        );
        assert_eq!(
            map_error(pcsc::Error::SharingViolation),
            TransportError::SharingViolation
        );
        assert_eq!(map_error(pcsc::Error::ResetCard), TransportError::CardReset);
        assert_eq!(
            map_error(pcsc::Error::NoReadersAvailable),
            TransportError::NoReader
        );
        assert_eq!(
            map_error(pcsc::Error::UnresponsiveCard),
            TransportError::CardUnresponsive
        );
    }
}
