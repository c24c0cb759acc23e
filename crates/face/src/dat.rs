//! dlib's serialization format (dlib/serialize.h), enough to read the two model files.
//!
//! Integers: a control byte (bit 7 = negative, low 4 bits = number of magnitude bytes, little-endian,
//! bits 4–6 zero), then the bytes. Floats: a signed 64-bit mantissa then a signed 16-bit exponent, both
//! as integers; value = mantissa · 2^exponent (exponents 32000/32001/32002 = +inf/−inf/NaN). Strings and
//! vectors: a length, then the items. Matrices: rows and columns (negative in the newer format), then the
//! elements row-major. DNN tensors: version 2, n k nr nc, then raw little-endian f32.
//!
//! Every read is bounds-checked: a truncated or hostile file is an error, never a panic, and no count
//! makes the reader allocate more than the rest of the file could fill.

use std::io::BufRead;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} at byte {offset}")]
pub struct DatError {
    pub what: String,
    pub offset: usize,
}

/// A cursor over a model file, read as it goes: from bytes in memory, or from the file itself
/// ([`Reader::streaming`]), so loading a model never holds a second copy of the whole file.
pub struct Reader<'a> {
    input: Box<dyn BufRead + 'a>,
    pos: usize,
    /// The input's length: no count may promise more elements than the bytes left could hold.
    len: usize,
}

impl std::fmt::Debug for Reader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Reader(at {} of {})", self.pos, self.len)
    }
}

/// The largest element count we accept for one vector, matrix or tensor (the ResNet's biggest tensor
/// holds 590,080 floats); a corrupt length must not make us allocate gigabytes.
const MAX_ELEMENTS: u64 = 4_000_000;

/// The fewest bytes a float takes: a mantissa and an exponent, each a control byte and at least one
/// magnitude byte.
const MIN_FLOAT_BYTES: usize = 4;

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader {
            len: bytes.len(),
            input: Box::new(bytes),
            pos: 0,
        }
    }
    /// Read `len` bytes from `input` as they are parsed (a buffered model file).
    pub fn streaming(input: &'a mut dyn BufRead, len: usize) -> Self {
        Reader {
            input: Box::new(input),
            pos: 0,
            len,
        }
    }
    pub fn position(&self) -> usize {
        self.pos
    }
    /// Nothing is left to read (a read error counts as something left: the file is not complete).
    pub fn at_end(&mut self) -> bool {
        self.input.fill_buf().is_ok_and(<[u8]>::is_empty)
    }
    pub fn err(&self, what: impl Into<String>) -> DatError {
        DatError {
            what: what.into(),
            offset: self.pos,
        }
    }
    /// Bytes left by the input's length.
    fn left(&self) -> usize {
        self.len.saturating_sub(self.pos)
    }
    /// Fill `buf` from the input.
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), DatError> {
        match self.input.read_exact(buf) {
            Ok(()) => {
                self.pos += buf.len();
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Err(self.err("file ends early")),
            Err(e) => Err(self.err(format!("read error: {e}"))),
        }
    }
    fn byte(&mut self) -> Result<u8, DatError> {
        let mut b = [0u8];
        self.fill(&mut b)?;
        Ok(b[0])
    }
    /// `n` elements of at least `size` bytes each must fit in what is left of the input.
    fn fits(&self, n: u64, size: usize) -> Result<usize, DatError> {
        usize::try_from(n)
            .ok()
            .filter(|&n| n.checked_mul(size).is_some_and(|bytes| bytes <= self.left()))
            .ok_or_else(|| self.err(format!("{n} elements cannot fit in the rest of the file")))
    }

    /// A signed integer of at most `max_bytes` magnitude bytes, and whether its sign bit was set.
    fn signed(&mut self, max_bytes: u8) -> Result<(i64, bool), DatError> {
        let control = self.byte()?;
        let n = control & 0x0F;
        if control & 0x70 != 0 || n == 0 || n > max_bytes || n > 8 {
            return Err(self.err(format!("bad integer control byte {control:#04x}")));
        }
        let mut bytes = [0u8; 8];
        self.fill(&mut bytes[..n as usize])?;
        let magnitude = u64::from_le_bytes(bytes);
        let magnitude = i64::try_from(magnitude).map_err(|_| self.err("integer out of range"))?;
        let negative = control & 0x80 != 0;
        Ok((if negative { -magnitude } else { magnitude }, negative))
    }

    /// A signed integer of at most `max_bytes` magnitude bytes.
    pub fn int(&mut self, max_bytes: u8) -> Result<i64, DatError> {
        Ok(self.signed(max_bytes)?.0)
    }
    /// An unsigned integer (the sign bit is an error).
    pub fn uint(&mut self) -> Result<u64, DatError> {
        let start = self.pos;
        let (v, negative) = self.signed(8)?;
        if v < 0 || negative {
            return Err(DatError {
                what: "negative value for an unsigned integer".into(),
                offset: start,
            });
        }
        Ok(v as u64)
    }
    /// A length or count, bounded by [`MAX_ELEMENTS`].
    pub fn count(&mut self) -> Result<usize, DatError> {
        let n = self.uint()?;
        if n > MAX_ELEMENTS {
            return Err(self.err(format!("implausible count {n}")));
        }
        Ok(n as usize)
    }
    /// The number of items to come, each at least `min_bytes` long: a count, also bounded by what is
    /// left of the file (a corrupt count must not reserve memory the file could never fill).
    pub fn items(&mut self, min_bytes: usize) -> Result<usize, DatError> {
        let n = self.count()?;
        self.fits(n as u64, min_bytes.max(1))
    }
    pub fn float(&mut self) -> Result<f64, DatError> {
        let mantissa = self.int(8)?;
        let exponent = self.int(2)?;
        Ok(match exponent {
            32000 => f64::INFINITY,
            32001 => f64::NEG_INFINITY,
            32002 => f64::NAN,
            e if (-1100..=1100).contains(&e) => mantissa as f64 * 2f64.powi(e as i32),
            _ => return Err(self.err(format!("float exponent {exponent} out of range"))),
        })
    }
    pub fn boolean(&mut self) -> Result<bool, DatError> {
        match self.byte()? {
            b'1' => Ok(true),
            b'0' => Ok(false),
            b => Err(self.err(format!("bad bool byte {b:#04x}"))),
        }
    }
    pub fn string(&mut self) -> Result<String, DatError> {
        let n = self.count()?;
        let mut bytes = vec![0u8; self.fits(n as u64, 1)?];
        self.fill(&mut bytes)?;
        String::from_utf8(bytes).map_err(|_| self.err("string is not UTF-8"))
    }
    /// Expect a specific string (a layer or object tag).
    pub fn expect_string(&mut self, want: &str) -> Result<(), DatError> {
        let start = self.pos;
        let got = self.string()?;
        if got == want {
            Ok(())
        } else {
            Err(DatError {
                what: format!("expected {want:?}, found {got:?}"),
                offset: start,
            })
        }
    }
    /// `matrix<float,0,1>` or any matrix: returns (rows, cols, row-major values).
    pub fn matrix(&mut self) -> Result<(usize, usize, Vec<f32>), DatError> {
        let nr = self.int(8)?.unsigned_abs();
        let nc = self.int(8)?.unsigned_abs();
        let n = nr
            .checked_mul(nc)
            .filter(|&n| n <= MAX_ELEMENTS)
            .ok_or_else(|| self.err("matrix too large"))?;
        let mut v = Vec::with_capacity(self.fits(n, MIN_FLOAT_BYTES)?);
        for _ in 0..n {
            v.push(self.float()? as f32);
        }
        Ok((nr as usize, nc as usize, v))
    }
    /// A DNN tensor: shape (n, k, nr, nc) and raw f32 data.
    pub fn tensor(&mut self) -> Result<([usize; 4], Vec<f32>), DatError> {
        let version = self.int(8)?;
        if version != 2 {
            return Err(self.err(format!("tensor version {version}, expected 2")));
        }
        let mut dims = [0usize; 4];
        for d in &mut dims {
            let v = self.int(8)?;
            *d = usize::try_from(v).map_err(|_| self.err("negative tensor dimension"))?;
        }
        let n = dims
            .iter()
            .try_fold(1u64, |acc, &d| acc.checked_mul(d as u64))
            .filter(|&n| n <= MAX_ELEMENTS)
            .ok_or_else(|| self.err("tensor too large"))?;
        let n = self.fits(n, 4)?;
        // Read in small pieces straight into the tensor: no copy of the raw bytes is kept.
        let mut data = Vec::with_capacity(n);
        let mut raw = [0u8; 4096];
        while data.len() < n {
            let piece = &mut raw[..(n - data.len()).min(1024) * 4];
            self.fill(piece)?;
            data.extend(
                piece
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])),
            );
        }
        Ok((dims, data))
    }
    /// An alias_tensor: version 1 and a shape, no data.
    pub fn alias_tensor(&mut self) -> Result<[usize; 4], DatError> {
        let version = self.int(8)?;
        if version != 1 {
            return Err(self.err(format!("alias_tensor version {version}, expected 1")));
        }
        let mut dims = [0usize; 4];
        for d in &mut dims {
            *d = usize::try_from(self.int(8)?).map_err(|_| self.err("negative alias dimension"))?;
        }
        Ok(dims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn integers_and_floats() {
        assert_eq!(Reader::new(&[0x01, 0x00]).int(8).unwrap(), 0);
        assert_eq!(Reader::new(&[0x81, 0x0a]).int(8).unwrap(), -10);
        assert_eq!(Reader::new(&[0x02, 0x34, 0x12]).uint().unwrap(), 0x1234);
        assert!(Reader::new(&[0x81, 0x01]).uint().is_err());
        assert!(
            Reader::new(&[0x00]).int(8).is_err(),
            "zero-length integers are invalid"
        );
        assert!(Reader::new(&[0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0]).int(8).is_err());
        // margin 0.04 as stored in the ResNet file: m = 0xa3d70a, e = -28.
        let v = Reader::new(&[0x03, 0x0a, 0xd7, 0xa3, 0x81, 0x1c])
            .float()
            .unwrap();
        assert!((v - 0.04).abs() < 1e-9, "{v}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn hostile_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let mut r = Reader::new(&bytes);
            let _ = r.matrix();
            let mut r = Reader::new(&bytes);
            let _ = r.tensor();
            let mut r = Reader::new(&bytes);
            let _ = r.string();
            let mut r = Reader::new(&bytes);
            let _ = r.float();
        }
    }
}
