//! Response APDUs: data followed by SW1 SW2.

use crate::{Status, StatusWord};
use zeroize::Zeroize;

/// A response APDU. The data is wiped on drop because it can hold personal data (the card face,
/// the basic four items).
#[derive(Clone, PartialEq, Eq)]
pub struct Response {
    pub data: Vec<u8>,
    pub sw: StatusWord,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    #[error("a response APDU needs at least the two status bytes, got {0} bytes")]
    TooShort(usize),
}

impl Response {
    pub fn new(data: Vec<u8>, sw: StatusWord) -> Self {
        Response { data, sw }
    }
    pub fn sw_only(sw: StatusWord) -> Self {
        Response { data: Vec::new(), sw }
    }
    pub fn parse(bytes: &[u8]) -> Result<Response, ResponseError> {
        let n = bytes.len();
        if n < 2 {
            return Err(ResponseError::TooShort(n));
        }
        Ok(Response {
            data: bytes[..n - 2].to_vec(),
            sw: StatusWord::from_bytes(bytes[n - 2], bytes[n - 1]),
        })
    }
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.data.len() + 2);
        out.extend_from_slice(&self.data);
        out.extend_from_slice(&self.sw.to_bytes());
        out
    }
    pub fn status(&self) -> Status {
        self.sw.status()
    }
    pub fn is_ok(&self) -> bool {
        self.sw.is_ok()
    }
}

impl Drop for Response {
    fn drop(&mut self) {
        self.data.zeroize();
    }
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the data: it may be personal.
        write!(f, "Response({} data bytes, {:?})", self.data.len(), self.sw)
    }
}
