//! APDU transcripts: record a conversation with a card and replay it later in tests.
//!
//! A transcript is text, one exchange per two lines (`> command` / `< response`). Commands that carry
//! a secret are recorded with their data replaced by `**`, so a transcript never contains a PIN.
//! Replay matches redacted commands by header and length only.

use crate::{CardChannel, Command, TransportError, hex, unhex};

/// One recorded exchange.
#[derive(Clone, PartialEq, Eq)]
pub struct Exchange {
    /// The command as recorded: hex, with sensitive data replaced by `**` per byte.
    pub command: String,
    /// The full response (data + SW) as hex, or `!CardRemoved` etc. for a transport error.
    pub response: String,
}

impl std::fmt::Debug for Exchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Exchange({} -> {} chars)", self.command, self.response.len())
    }
}

/// Record the command in its redacted textual form.
pub fn redact_command(bytes: &[u8]) -> String {
    match Command::parse(bytes) {
        Ok(cmd) if cmd.is_sensitive() => {
            let mut shown = hex(&bytes[..4]);
            let body = &bytes[4..];
            // Keep the length bytes, mask the data.
            let lc_len = if body.first() == Some(&0) { 3 } else { 1 };
            shown.push_str(&hex(&body[..lc_len.min(body.len())]));
            shown.push_str(&"**".repeat(cmd.data().len()));
            let trailer = body.len().saturating_sub(lc_len + cmd.data().len());
            shown.push_str(&hex(&body[body.len() - trailer..]));
            shown
        }
        _ => hex(bytes),
    }
}

/// A [`CardChannel`] that forwards to another and records every exchange.
#[derive(Debug)]
pub struct Recorder<C> {
    inner: C,
    exchanges: Vec<Exchange>,
}

impl<C: CardChannel> Recorder<C> {
    pub fn new(inner: C) -> Self {
        Recorder {
            inner,
            exchanges: Vec::new(),
        }
    }
    pub fn exchanges(&self) -> &[Exchange] {
        &self.exchanges
    }
    pub fn into_inner(self) -> C {
        self.inner
    }
    /// The transcript as text.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for e in &self.exchanges {
            out.push_str("> ");
            out.push_str(&e.command);
            out.push_str("\n< ");
            out.push_str(&e.response);
            out.push('\n');
        }
        out
    }
}

impl<C: CardChannel> CardChannel for Recorder<C> {
    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let result = self.inner.transmit_raw(command);
        let response = match &result {
            Ok(bytes) => hex(bytes),
            Err(e) => format!("!{e:?}"),
        };
        self.exchanges.push(Exchange {
            command: redact_command(command),
            response,
        });
        result
    }
}

/// Errors while loading or replaying a transcript.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    #[error("transcript line {0}: {1}")]
    Syntax(usize, String),
}

/// A [`CardChannel`] that answers from a transcript. A command that differs from the recorded one is
/// answered with a transport error naming the position, so a test fails loudly.
#[derive(Debug)]
pub struct Replayer {
    exchanges: Vec<Exchange>,
    position: usize,
}

impl Replayer {
    pub fn from_text(text: &str) -> Result<Replayer, ReplayError> {
        let mut exchanges = Vec::new();
        let mut pending: Option<String> = None;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(cmd) = line.strip_prefix("> ") {
                if pending.is_some() {
                    return Err(ReplayError::Syntax(n + 1, "two commands in a row".into()));
                }
                pending = Some(cmd.trim().to_string());
            } else if let Some(resp) = line.strip_prefix("< ") {
                let command = pending
                    .take()
                    .ok_or(ReplayError::Syntax(n + 1, "response without command".into()))?;
                let response = resp.trim().to_string();
                if !response.starts_with('!') && unhex(&response).is_none() {
                    return Err(ReplayError::Syntax(n + 1, "response is not hex".into()));
                }
                exchanges.push(Exchange { command, response });
            } else {
                return Err(ReplayError::Syntax(
                    n + 1,
                    "line must start with '> ' or '< '".into(),
                ));
            }
        }
        if pending.is_some() {
            return Err(ReplayError::Syntax(
                text.lines().count(),
                "command without response".into(),
            ));
        }
        Ok(Replayer {
            exchanges,
            position: 0,
        })
    }
    /// True when every recorded exchange was used.
    pub fn finished(&self) -> bool {
        self.position == self.exchanges.len()
    }
}

impl CardChannel for Replayer {
    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let Some(expected) = self.exchanges.get(self.position) else {
            return Err(TransportError::Other(format!(
                "transcript exhausted at exchange {}",
                self.position
            )));
        };
        let got = redact_command(command);
        if got != expected.command {
            return Err(TransportError::Other(format!(
                "transcript mismatch at exchange {}: expected {}, got {}",
                self.position, expected.command, got
            )));
        }
        self.position += 1;
        match expected.response.as_str() {
            "!CardRemoved" => Err(TransportError::CardRemoved),
            "!ReaderGone" => Err(TransportError::ReaderGone),
            r if r.starts_with('!') => Err(TransportError::Other(r[1..].to_string())),
            r => unhex(r).ok_or_else(|| TransportError::Other("bad hex in transcript".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StatusWord;
    use crate::iso::{verify, verify_status};

    struct Echo;
    impl CardChannel for Echo {
        fn transmit_raw(&mut self, _command: &[u8]) -> Result<Vec<u8>, TransportError> {
            Ok(StatusWord::remaining_retries(2).to_bytes().to_vec())
        }
    }

    #[test]
    fn recorded_verify_has_no_pin_and_replays() {
        let mut rec = Recorder::new(Echo);
        let pin = verify(b"4321").to_bytes().unwrap();
        let query = verify_status().to_bytes().unwrap();
        rec.transmit_raw(&pin).unwrap();
        rec.transmit_raw(&query).unwrap();
        let text = rec.to_text();
        assert!(!text.contains("34333231"), "{text}");
        assert!(text.contains("0020008004********"), "{text}");
        let mut replay = Replayer::from_text(&text).unwrap();
        // A different PIN of the same length matches the redacted record: the transcript cannot tell.
        let other = verify(b"0000").to_bytes().unwrap();
        assert_eq!(
            replay.transmit_raw(&other).unwrap(),
            StatusWord::remaining_retries(2).to_bytes()
        );
        assert!(
            replay.transmit_raw(&pin).is_err(),
            "the second exchange was the empty query"
        );
    }

    #[test]
    fn bad_transcripts_are_rejected() {
        assert!(Replayer::from_text("> 00A4\n> 00B0\n").is_err());
        assert!(Replayer::from_text("< 9000\n").is_err());
        assert!(Replayer::from_text("> 00A4\n< zz\n").is_err());
    }
}
