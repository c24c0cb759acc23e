//! The virtual card as a vpcd client, so it sits in pcscd's `Virtual PCD 00 00` reader.
//!
//! Wire protocol (vsmartcard vpcd): the card connects to vpcd over TCP (default localhost:35963).
//! Each message is a 2-byte big-endian length and a payload. A 1-byte payload is a control byte:
//! `00` power off, `01` power on, `02` (warm) reset (no reply), `04` get ATR (reply with the ATR). A longer
//! payload is a command APDU; the reply is the response APDU. Closing the socket removes the card.
//!
//! vpcd writes the length and the payload in two segments, so without `TCP_QUICKACK` (set again
//! before every read: Linux clears it) each exchange waits for a delayed ACK: ~44 ms per command.

use crate::card::{Removed, SharedCard};
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub const DEFAULT_ADDR: &str = "127.0.0.1:35963";

/// vpcd's control bytes. pcscd sends `POWER_OFF` then `POWER_ON` for `SCARD_UNPOWER_CARD` and `RESET` for
/// `SCARD_RESET_CARD`: the card keeps a verified PIN over the reset, not over the power-off
/// (docs/CARD-NOTES.md §1.2).
const POWER_OFF: u8 = 0x00;
const POWER_ON: u8 = 0x01;
const RESET: u8 = 0x02;
const GET_ATR: u8 = 0x04;

/// Why [`serve`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServeEnd {
    /// `stop` was set: the card was taken out on purpose.
    Stopped,
    /// A pull fault fired: the card left the reader mid-session.
    Pulled,
    /// vpcd closed the connection (pcscd stopped).
    ReaderClosed,
}

fn quickack(stream: &TcpStream) {
    #[cfg(target_os = "linux")]
    {
        let _ = socket2::SockRef::from(stream).set_quickack(true);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = stream;
}

/// Read exactly `buf.len()` bytes, polling `stop` on read time-outs. `Ok(false)` = stop requested
/// before any byte arrived.
fn read_full(stream: &mut TcpStream, buf: &mut [u8], stop: &AtomicBool) -> io::Result<bool> {
    let mut got = 0;
    while got < buf.len() {
        quickack(stream);
        match stream.read(&mut buf[got..]) {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "vpcd closed the connection",
                ));
            }
            Ok(n) => got += n,
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                if got == 0 && stop.load(Ordering::Relaxed) {
                    return Ok(false);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

fn send(stream: &mut TcpStream, payload: &[u8]) -> io::Result<()> {
    let mut msg = Vec::with_capacity(payload.len() + 2);
    msg.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    msg.extend_from_slice(payload);
    stream.write_all(&msg)
}

/// Insert `card` into the vpcd reader at `addr` and answer it until `stop` is set, the card is
/// pulled by a fault, or vpcd goes away. Waits (polling every 100 ms) while vpcd is not listening.
pub fn serve(card: &SharedCard, addr: &str, stop: &AtomicBool) -> io::Result<ServeEnd> {
    let mut stream = loop {
        match TcpStream::connect(addr) {
            Ok(s) => break s,
            Err(e) if matches!(e.kind(), io::ErrorKind::ConnectionRefused) => {
                if stop.load(Ordering::Relaxed) {
                    return Ok(ServeEnd::Stopped);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => return Err(e),
        }
    };
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_millis(100)))?;
    loop {
        let mut len = [0u8; 2];
        match read_full(&mut stream, &mut len, stop) {
            Ok(true) => {}
            Ok(false) => return Ok(ServeEnd::Stopped),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(ServeEnd::ReaderClosed),
            Err(e) => return Err(e),
        }
        let mut payload = vec![0u8; u16::from_be_bytes(len) as usize];
        if !read_full(&mut stream, &mut payload, &AtomicBool::new(false))? {
            return Ok(ServeEnd::Stopped);
        }
        match payload.as_slice() {
            [POWER_OFF] => card.lock().power_off(),
            [POWER_ON] => card.lock().power_on(),
            [RESET] => card.lock().warm_reset(),
            [GET_ATR] => send(&mut stream, &crate::ATR)?,
            [_] => {}
            apdu => {
                let answer = card.lock().process(apdu);
                match answer {
                    Ok(response) => send(&mut stream, &response)?,
                    Err(Removed) => return Ok(ServeEnd::Pulled),
                }
            }
        }
    }
}
