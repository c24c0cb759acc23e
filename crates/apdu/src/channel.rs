//! The transport trait at the hardware boundary, and the one place where `61xx`/`6Cxx` are handled.

use crate::{ApduError, Command, Response, Status, iso};
use zeroize::{Zeroize, Zeroizing};

/// Why a transport could not carry an APDU. Every backend maps its own errors onto these, so a screen
/// can say something useful (e.g. "the card was taken away" versus "the reader is unplugged").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    #[error("the card was removed")]
    CardRemoved,
    #[error("the card was reset by another application; reconnect")]
    CardReset,
    #[error("the card does not answer")]
    CardUnresponsive,
    #[error("no card in the reader")]
    NoCard,
    #[error("the reader is gone (unplugged)")]
    ReaderGone,
    #[error("no smart-card reader is connected")]
    NoReader,
    #[error("another application is using the card")]
    SharingViolation,
    #[error("the smart-card service (pcscd) is not running")]
    ServiceDown,
    #[error("the card or reader timed out")]
    Timeout,
    #[error("transport failure: {0}")]
    Other(String),
}

/// A channel to one card. Implemented by `kiosk-pcsc` for real readers and by `kiosk-card-sim` for
/// the virtual card. `transmit_raw` sends one encoded command APDU and returns the raw response
/// (data + SW1 SW2). Implementations must not log the bytes: commands may carry a PIN.
pub trait CardChannel {
    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError>;
}

impl<C: CardChannel + ?Sized> CardChannel for &mut C {
    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit_raw(command)
    }
}

impl<C: CardChannel + ?Sized> CardChannel for Box<C> {
    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit_raw(command)
    }
}

/// How many GET RESPONSE / Le-correction rounds we follow before calling the card broken.
const MAX_CHAINING_ROUNDS: usize = 64;

/// Send `command` and return the complete response.
///
/// `61xx` answers are followed with GET RESPONSE (`00 C0 00 00 xx`) and the pieces joined; a `6Cxx`
/// answer is resent once with the corrected Le. A command that carries a secret is never resent:
/// for those a `6Cxx` is returned to the caller as is, so a PIN try is never spent twice.
///
/// An answer longer than its command's Ne allowed (ISO 7816-4 §5.1: the card returns at most Ne
/// bytes) is refused: such a card is broken or hostile, and its bytes are not worth parsing. That holds
/// for the joined `61xx` pieces too: each GET RESPONSE asks for no more than what is left of Ne, and a
/// card that announces more once Ne is reached is refused rather than followed.
pub fn transmit(channel: &mut (impl CardChannel + ?Sized), command: &Command) -> Result<Response, ApduError> {
    let mut response = exchange(channel, command)?;
    if let Status::WrongLe(n) = response.status()
        && !command.is_sensitive()
    {
        response = exchange(channel, &command.clone().with_ne(short_le_to_ne(n)))?;
    }
    let allowed = command.ne().unwrap_or(0);
    let mut data = std::mem::take(&mut response.data);
    let mut rounds = 0;
    while let Status::MoreData(n) = response.status() {
        rounds += 1;
        if rounds > MAX_CHAINING_ROUNDS {
            data.zeroize();
            return Err(ApduError::ChainingLoop(MAX_CHAINING_ROUNDS));
        }
        let announced = short_le_to_ne(n);
        let left = u64::from(allowed).saturating_sub(data.len() as u64);
        if left == 0 {
            // At least one more byte on top of Ne: what the card announced is the best count there is.
            let got = data
                .len()
                .saturating_add(usize::try_from(announced).unwrap_or(usize::MAX));
            data.zeroize();
            return Err(ApduError::Oversized { got, allowed });
        }
        // `left` is at most Ne (65536), so it fits; the fallback is never taken.
        let ask = announced.min(u32::try_from(left).unwrap_or(u32::MAX));
        response = exchange(channel, &iso::get_response(command.cla, ask))?;
        data.extend_from_slice(&response.data);
    }
    response.data = data;
    Ok(response)
}

/// The Ne a short Le byte stands for in `61xx` and `6Cxx`: `00` means 256.
fn short_le_to_ne(le: u8) -> u32 {
    if le == 0 { 256 } else { u32::from(le) }
}

/// One command, one answer, no longer than the command's Ne (none: no data expected).
fn exchange(channel: &mut (impl CardChannel + ?Sized), command: &Command) -> Result<Response, ApduError> {
    let mut bytes = command.to_bytes()?;
    let raw = send_wiped(channel, &mut bytes)?;
    let response = Response::parse(&raw)?;
    let allowed = command.ne().unwrap_or(0);
    if response.data.len() as u64 > u64::from(allowed) {
        return Err(ApduError::Oversized {
            got: response.data.len(),
            allowed,
        });
    }
    Ok(response)
}

/// Send encoded command bytes and wipe them whatever the outcome: a VERIFY's bytes hold the PIN, and
/// [`Command`] wipes only its own copy. The answer is wiped when the caller drops it (it may be the
/// card face or the basic four items).
fn send_wiped(
    channel: &mut (impl CardChannel + ?Sized),
    bytes: &mut [u8],
) -> Result<Zeroizing<Vec<u8>>, TransportError> {
    let answer = channel.transmit_raw(bytes);
    bytes.zeroize();
    answer.map(Zeroizing::new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StatusWord;
    use crate::iso::{read_binary_offset, select_df, verify};

    fn read(ne: u32) -> Command {
        read_binary_offset(0, ne).unwrap()
    }

    /// A scripted card: answers from a queue and records what it was sent.
    struct Script {
        answers: Vec<Vec<u8>>,
        sent: Vec<Vec<u8>>,
    }
    impl CardChannel for Script {
        fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
            self.sent.push(command.to_vec());
            if self.answers.is_empty() {
                return Err(TransportError::CardRemoved);
            }
            Ok(self.answers.remove(0))
        }
    }

    /// A card's answer: `data` then `sw`.
    fn answer(data: &[u8], sw: StatusWord) -> Vec<u8> {
        Response::new(data.to_vec(), sw).to_bytes()
    }

    #[test]
    fn get_response_chain_is_joined() {
        let mut card = Script {
            answers: vec![
                answer(&[1, 2], StatusWord::more_data(2)),
                answer(&[3, 4], StatusWord::OK),
            ],
            sent: vec![],
        };
        let r = transmit(&mut card, &read(256)).unwrap();
        assert_eq!(r.data, [1, 2, 3, 4]);
        assert!(r.is_ok());
        assert_eq!(card.sent[1], iso::get_response(0, 2).to_bytes().unwrap());
    }

    #[test]
    fn wrong_le_is_resent_once_with_the_right_le() {
        let mut card = Script {
            answers: vec![
                answer(&[], StatusWord::wrong_le(0x10)),
                answer(&[5; 16], StatusWord::OK),
            ],
            sent: vec![],
        };
        let r = transmit(&mut card, &read(256)).unwrap();
        assert_eq!(r.data.len(), 16);
        assert_eq!(card.sent[1], read(0x10).to_bytes().unwrap());
    }

    #[test]
    fn a_verify_is_never_resent() {
        let mut card = Script {
            answers: vec![answer(&[], StatusWord::wrong_le(4))],
            sent: vec![],
        };
        let r = transmit(&mut card, &verify(b"1234")).unwrap();
        assert_eq!(r.sw, StatusWord::wrong_le(4));
        assert_eq!(card.sent.len(), 1);
    }

    #[test]
    fn an_answer_longer_than_le_is_refused() {
        let mut card = Script {
            answers: vec![answer(&[7; 40], StatusWord::OK)],
            sent: vec![],
        };
        let r = transmit(&mut card, &read(32));
        assert!(
            matches!(r, Err(ApduError::Oversized { got: 40, allowed: 32 })),
            "{r:?}"
        );
        // Data where none was asked for (a SELECT with P2 = 0C) is refused too.
        let mut card = Script {
            answers: vec![answer(&[1, 2], StatusWord::OK)],
            sent: vec![],
        };
        let select = select_df(&[0xD3, 0x92]);
        assert!(matches!(
            transmit(&mut card, &select),
            Err(ApduError::Oversized { got: 2, allowed: 0 })
        ));
    }

    #[test]
    fn joined_answers_are_capped_at_the_commands_ne() {
        // Pieces that add up to Ne are joined; each GET RESPONSE asks only for what is left.
        let mut card = Script {
            answers: vec![
                answer(&[1, 2, 3], StatusWord::more_data(0x10)),
                answer(&[4], StatusWord::OK),
            ],
            sent: vec![],
        };
        let r = transmit(&mut card, &read(4)).unwrap();
        assert_eq!(r.data, [1, 2, 3, 4]);
        assert_eq!(card.sent[1], iso::get_response(0, 1).to_bytes().unwrap());
        // Ne reached and the card announces more: refused, not followed.
        let mut card = Script {
            answers: vec![
                answer(&[1, 2], StatusWord::more_data(2)),
                answer(&[3, 4], StatusWord::more_data(0x20)),
                answer(&[0; 0x20], StatusWord::OK),
            ],
            sent: vec![],
        };
        let r = transmit(&mut card, &read(4));
        assert!(
            matches!(
                r,
                Err(ApduError::Oversized {
                    got: 0x24,
                    allowed: 4
                })
            ),
            "{r:?}"
        );
        assert_eq!(card.sent.len(), 2, "no GET RESPONSE past Ne");
        // A GET RESPONSE answered with more than what was left of Ne is refused like any long answer.
        let mut card = Script {
            answers: vec![
                answer(&[1, 2], StatusWord::more_data(0x10)),
                answer(&[9; 0x10], StatusWord::OK),
            ],
            sent: vec![],
        };
        let r = transmit(&mut card, &read(4));
        assert!(
            matches!(
                r,
                Err(ApduError::Oversized {
                    got: 0x10,
                    allowed: 2
                })
            ),
            "{r:?}"
        );
        // A command that expects no data gets none through 61xx either.
        let mut card = Script {
            answers: vec![answer(&[], StatusWord::more_data(8))],
            sent: vec![],
        };
        assert!(matches!(
            transmit(&mut card, &select_df(&[0xD3, 0x92])),
            Err(ApduError::Oversized { got: 8, allowed: 0 })
        ));
    }

    #[test]
    fn a_verifys_bytes_are_wiped_once_sent_even_when_the_card_is_gone() {
        let pin_bytes = verify(b"1234").to_bytes().unwrap();
        for answers in [vec![answer(&[], StatusWord::OK)], vec![]] {
            let mut card = Script {
                answers,
                sent: vec![],
            };
            let mut bytes = pin_bytes.clone();
            let _ = send_wiped(&mut card, &mut bytes);
            assert_eq!(card.sent.len(), 1);
            assert_eq!(card.sent[0], pin_bytes, "sent as built");
            assert!(bytes.iter().all(|&b| b == 0), "wiped: {bytes:?}");
            assert_eq!(bytes.len(), pin_bytes.len());
        }
    }

    #[test]
    fn endless_chaining_is_an_error() {
        let mut card = Script {
            answers: vec![answer(&[], StatusWord::more_data(1)); 100],
            sent: vec![],
        };
        let r = transmit(&mut card, &read(1));
        assert!(matches!(r, Err(ApduError::ChainingLoop(_))));
    }
}
