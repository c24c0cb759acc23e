//! dlib's serialization format (dlib/serialize.h), enough to read the two model files.
//!
//! Integers: a control byte (bit 7 = negative, low 4 bits = number of magnitude bytes, little-endian,
//! bits 4–6 zero), then the bytes. Floats: a signed 64-bit mantissa then a signed 16-bit exponent, both
//! as integers; value = mantissa · 2^exponent (exponents 32000/32001/32002 = +inf/−inf/NaN). Strings and
//! vectors: a length, then the items. Matrices: rows and columns (negative in the newer format), then the
//! elements row-major. DNN tensors: version 2, n k nr nc, then raw little-endian f32.
//!
//! Every read is bounds-checked: a truncated or hostile file is an error, never a panic.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} at byte {offset}")]
pub struct DatError {
    pub what: String,
    pub offset: usize,
}

/// A cursor over a model file.
#[derive(Debug)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

/// The largest element count we accept for one vector, matrix or tensor (the ResNet's biggest tensor
/// holds 590,080 floats); a corrupt length must not make us allocate gigabytes.
const MAX_ELEMENTS: u64 = 4_000_000;

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0 }
    }
    pub fn position(&self) -> usize {
        self.pos
    }
    pub fn at_end(&self) -> bool {
        self.pos == self.bytes.len()
    }
    pub fn err(&self, what: impl Into<String>) -> DatError {
        DatError {
            what: what.into(),
            offset: self.pos,
        }
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], DatError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| self.err("file ends early"))?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn byte(&mut self) -> Result<u8, DatError> {
        Ok(self.take(1)?[0])
    }

    /// A signed integer of at most `max_bytes` magnitude bytes.
    pub fn int(&mut self, max_bytes: u8) -> Result<i64, DatError> {
        let control = self.byte()?;
        let n = control & 0x0F;
        if control & 0x70 != 0 || n == 0 || n > max_bytes {
            return Err(self.err(format!("bad integer control byte {control:#04x}")));
        }
        let mut magnitude: u64 = 0;
        for (i, b) in self.take(n as usize)?.iter().enumerate() {
            magnitude |= (*b as u64) << (8 * i);
        }
        let magnitude = i64::try_from(magnitude).map_err(|_| self.err("integer out of range"))?;
        Ok(if control & 0x80 != 0 {
            -magnitude
        } else {
            magnitude
        })
    }
    /// An unsigned integer (the sign bit is an error).
    pub fn uint(&mut self) -> Result<u64, DatError> {
        let start = self.pos;
        let v = self.int(8)?;
        if v < 0 || self.bytes[start] & 0x80 != 0 {
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
        let bytes = self.take(n)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| self.err("string is not UTF-8"))
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
        let mut v = Vec::with_capacity(n as usize);
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
        let raw = self.take(n as usize * 4)?;
        Ok((
            dims,
            raw.chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        ))
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
