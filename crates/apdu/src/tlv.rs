//! BER-TLV (ISO 7816-4 §5.2 / X.690) on top of the `iso7816-tlv` crate.
//!
//! Two needs from the card: learn an EF's length from its first bytes (so a read can stop at the
//! object and ignore the filler bytes the card keeps after it, docs/CARD-NOTES.md §3.4), and walk
//! the children of a constructed object such as the card face `FF 20` by tag. Lengths are taken in any
//! long form BER allows, minimal or not: the real card writes 169 as `82 00 A9` (docs/CARD-NOTES.md §4.4).

use iso7816_tlv::ber::{Tlv, Value};

/// Why bytes from the card are not the TLV object expected. Tags are kept as bytes and shown in hex;
/// no value is ever part of the error (values can be personal data).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlvError {
    #[error("TLV data ends early (need {need} bytes, have {have})")]
    Truncated { need: usize, have: usize },
    #[error("malformed TLV: tag longer than 3 bytes")]
    TagTooLong,
    /// A long-form length with 0 or more than 3 length bytes.
    #[error("malformed TLV: length field of {0} bytes")]
    LengthFieldSize(usize),
    #[error("malformed TLV: expected tag {}, found {}", crate::hex(.expected), crate::hex(.found))]
    UnexpectedTag { expected: Vec<u8>, found: Vec<u8> },
    #[error("malformed TLV: {} is not constructed", crate::hex(.0))]
    NotConstructed(Vec<u8>),
    /// `iso7816-tlv` refused the structure; the name of its error kind.
    #[error("malformed TLV: {0}")]
    Structure(&'static str),
    #[error("malformed TLV: children do not add up")]
    ChildrenDoNotAddUp,
    /// Constructed objects nested deeper than [`MAX_DEPTH`]: refused before any recursive parse.
    #[error("malformed TLV: nested more than {0} levels deep")]
    TooDeep(usize),
    #[error("required tag {} is missing", crate::hex(.0))]
    Missing(Vec<u8>),
    #[error("tag {} is not a primitive value", crate::hex(.0))]
    NotPrimitive(Vec<u8>),
}

/// The kind of an `iso7816-tlv` error, by name (its own type is neither `Eq` nor ours to match on).
fn structure_error(e: &iso7816_tlv::TlvError) -> TlvError {
    use iso7816_tlv::TlvError as E;
    TlvError::Structure(match e {
        E::InvalidInput => "InvalidInput",
        E::TagIsRFU => "TagIsRFU",
        E::ParseIntError => "ParseIntError",
        E::TruncatedInput => "TruncatedInput",
        E::Inconsistant => "Inconsistant",
        E::InvalidLength => "InvalidLength",
    })
}

/// The deepest nesting the kiosk parses. The card's objects are two levels deep (the card face `FF 20`
/// and its primitive children, docs/CARD-NOTES.md §4); four leaves room and bounds the work a card can
/// ask of the parser (issue 20, point 6: `iso7816-tlv` descends recursively into every level).
pub const MAX_DEPTH: usize = 4;

/// Refuse `bytes` (a sequence of objects at nesting level `level`, 1 for the outermost) if any
/// constructed object in them nests deeper than [`MAX_DEPTH`]. Walks headers only; its own recursion
/// stops at `MAX_DEPTH`.
fn check_depth(bytes: &[u8], level: usize) -> Result<(), TlvError> {
    for object in objects(bytes) {
        let (h, encoded) = object?;
        if is_constructed(&h.tag) {
            if level > MAX_DEPTH {
                return Err(TlvError::TooDeep(MAX_DEPTH));
            }
            check_depth(&encoded[h.header_len..], level + 1)?;
        }
    }
    Ok(())
}

/// Bit 6 of the first tag byte marks a constructed object (X.690 §8.1.2.5).
fn is_constructed(tag: &[u8]) -> bool {
    tag.first().is_some_and(|t| t & 0x20 != 0)
}

/// The objects of a sequence, in order, each with its header and its encoding as sent. Stops after the
/// first error.
fn objects(bytes: &[u8]) -> impl Iterator<Item = Result<(Header, &[u8]), TlvError>> {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let object = header(rest).and_then(|h| {
            let total = h.total_len();
            let encoded = rest.get(..total).ok_or(TlvError::Truncated {
                need: total,
                have: rest.len(),
            })?;
            Ok((h, encoded))
        });
        rest = match &object {
            Ok((_, encoded)) => &rest[encoded.len()..],
            Err(_) => &[],
        };
        Some(object)
    })
}

/// `bytes` (a sequence of objects) with every length in its minimal form and everything else as it was.
/// Personal data passes through: the copy is wiped when dropped. Recursion is bounded by [`check_depth`],
/// which runs first.
fn minimal_lengths(bytes: &[u8]) -> Result<zeroize::Zeroizing<Vec<u8>>, TlvError> {
    let mut out = zeroize::Zeroizing::new(Vec::with_capacity(bytes.len()));
    for object in objects(bytes) {
        let (h, encoded) = object?;
        let value = &encoded[h.header_len..];
        let encoded = if is_constructed(&h.tag) {
            zeroize::Zeroizing::new(encode(&h.tag, &minimal_lengths(value)?))
        } else {
            zeroize::Zeroizing::new(encode(&h.tag, value))
        };
        out.extend_from_slice(&encoded);
    }
    Ok(out)
}

/// The header of one BER-TLV object: tag bytes, header length, value length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub tag: Vec<u8>,
    pub header_len: usize,
    pub value_len: usize,
}

impl Header {
    /// Total encoded length of the object (header + value).
    pub fn total_len(&self) -> usize {
        self.header_len + self.value_len
    }
}

/// Parse the header at the start of `bytes`. Needs at most 3 tag bytes and 4 length bytes, so reading
/// the first 7 bytes of an EF is always enough.
pub fn header(bytes: &[u8]) -> Result<Header, TlvError> {
    let truncated = |need| TlvError::Truncated {
        need,
        have: bytes.len(),
    };
    let first = *bytes.first().ok_or(truncated(1))?;
    let mut i = 1;
    if first & 0x1F == 0x1F {
        loop {
            let b = *bytes.get(i).ok_or(truncated(i + 1))?;
            i += 1;
            if b & 0x80 == 0 {
                break;
            }
            if i > 3 {
                return Err(TlvError::TagTooLong);
            }
        }
    }
    let tag = bytes[..i].to_vec();
    let l0 = *bytes.get(i).ok_or(truncated(i + 1))?;
    i += 1;
    let value_len = if l0 < 0x80 {
        usize::from(l0)
    } else {
        let n = usize::from(l0 & 0x7F);
        if n == 0 || n > 3 {
            return Err(TlvError::LengthFieldSize(n));
        }
        let field = bytes.get(i..i + n).ok_or(truncated(i + n))?;
        i += n;
        field.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
    };
    Ok(Header {
        tag,
        header_len: i,
        value_len,
    })
}

/// The bytes of the first TLV object in `bytes`, without trailing filler.
pub fn first_object(bytes: &[u8]) -> Result<&[u8], TlvError> {
    let h = header(bytes)?;
    let total = h.total_len();
    bytes.get(..total).ok_or(TlvError::Truncated {
        need: total,
        have: bytes.len(),
    })
}

/// One direct child of a constructed object, kept as the card sent it.
#[derive(Clone)]
struct Child {
    tag: Vec<u8>,
    raw: Vec<u8>,
    header_len: usize,
}

/// A parsed constructed object: its tag and its direct children in order, each with its raw encoding
/// (signatures on the card cover the bytes as sent, so they must be hashed as sent).
#[derive(Clone)]
pub struct Constructed {
    tag: Vec<u8>,
    children: Vec<Child>,
}

impl std::fmt::Debug for Constructed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Values may be personal data: show only the tags.
        let tags: Vec<String> = self.children.iter().map(|c| crate::hex(&c.tag)).collect();
        write!(
            f,
            "Constructed({} children: {})",
            crate::hex(&self.tag),
            tags.join(" ")
        )
    }
}

impl Drop for Constructed {
    fn drop(&mut self) {
        for c in &mut self.children {
            zeroize::Zeroize::zeroize(&mut c.raw);
        }
    }
}

impl Constructed {
    /// Parse the first object of `bytes` (filler after it is ignored) and require it to be constructed
    /// with tag `expected_tag`. The structure is validated by `iso7816-tlv`; the children are then
    /// walked once more to keep their raw bytes.
    pub fn parse(bytes: &[u8], expected_tag: &[u8]) -> Result<Constructed, TlvError> {
        let object = first_object(bytes)?;
        let h = header(object)?;
        if h.tag != expected_tag {
            return Err(TlvError::UnexpectedTag {
                expected: expected_tag.to_vec(),
                found: h.tag,
            });
        }
        check_depth(object, 1)?;
        // iso7816-tlv 0.4 re-encodes each child's length minimally when it adds the children up, so it
        // refuses an object with a non-minimal long-form length, as the real card face has (its name
        // image: `82 00 A9`, docs/CARD-NOTES.md §4.4). It checks the structure of the minimal form; the
        // children's raw bytes, which signatures cover, are taken from the object as sent.
        let minimal = minimal_lengths(object)?;
        let tlv = Tlv::from_bytes(&minimal).map_err(|e| structure_error(&e))?;
        let Value::Constructed(parsed) = tlv.value() else {
            return Err(TlvError::NotConstructed(h.tag));
        };
        let mut children = Vec::with_capacity(parsed.len());
        for child in objects(&object[h.header_len..]) {
            let (ch, raw) = child?;
            children.push(Child {
                tag: ch.tag,
                raw: raw.to_vec(),
                header_len: ch.header_len,
            });
        }
        if children.len() != parsed.len() {
            return Err(TlvError::ChildrenDoNotAddUp);
        }
        Ok(Constructed { tag: h.tag, children })
    }

    pub fn tag(&self) -> &[u8] {
        &self.tag
    }

    /// Tags of the children, in order.
    pub fn child_tags(&self) -> Vec<Vec<u8>> {
        self.children.iter().map(|c| c.tag.clone()).collect()
    }

    /// The value of the first child with `tag`, if present. A constructed child is an error.
    pub fn get(&self, tag: &[u8]) -> Result<Option<&[u8]>, TlvError> {
        match self.children.iter().find(|c| c.tag == tag) {
            None => Ok(None),
            Some(c) if c.tag.first().is_some_and(|t| t & 0x20 != 0) => {
                Err(TlvError::NotPrimitive(tag.to_vec()))
            }
            Some(c) => Ok(Some(&c.raw[c.header_len..])),
        }
    }

    /// The raw encoding (tag, length, value) of the first child with `tag`.
    pub fn raw(&self, tag: &[u8]) -> Result<&[u8], TlvError> {
        self.children
            .iter()
            .find(|c| c.tag == tag)
            .map(|c| c.raw.as_slice())
            .ok_or_else(|| TlvError::Missing(tag.to_vec()))
    }

    /// Like [`Constructed::get`] but a missing tag is an error.
    pub fn require(&self, tag: &[u8]) -> Result<&[u8], TlvError> {
        self.get(tag)?.ok_or_else(|| TlvError::Missing(tag.to_vec()))
    }
}

/// Encode one primitive or constructed object in DER-style definite length (used by the virtual card
/// and tests). The length bytes are taken from the length itself, so no length is ever cut short.
pub fn encode(tag: &[u8], value: &[u8]) -> Vec<u8> {
    let mut out = tag.to_vec();
    let n = value.len();
    let wide = u64::try_from(n).unwrap_or(u64::MAX);
    let [_, _, _, _, _, b2, b1, b0] = wide.to_be_bytes();
    match n {
        0..=0x7F => out.push(b0),
        0x80..=0xFF => out.extend_from_slice(&[0x81, b0]),
        0x100..=0xFFFF => out.extend_from_slice(&[0x82, b1, b0]),
        0x1_0000..=0xFF_FFFF => out.extend_from_slice(&[0x83, b2, b1, b0]),
        // Far beyond anything on a card (16 MiB), and beyond what [`header`] reads back: still a
        // correct BER length, with all eight bytes.
        _ => {
            out.push(0x88);
            out.extend_from_slice(&wide.to_be_bytes());
        }
    }
    out.extend_from_slice(value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `levels` constructed `30` objects, one inside the other, around an empty `04`.
    fn nested(levels: usize) -> Vec<u8> {
        let mut object = vec![0x04, 0x00];
        for _ in 0..levels {
            object = encode(&[0x30], &object);
        }
        object
    }

    #[test]
    fn non_minimal_lengths_parse_as_the_real_card_writes_them() {
        // `DF 25 82 00 03`: a 3-byte value with a 2-byte long-form length, as the real card face's
        // name image (`82 00 A9`, docs/CARD-NOTES.md §4.4).
        let ef = [
            0xFF, 0x20, 0x0C, 0xDF, 0x25, 0x82, 0x00, 0x03, 1, 2, 3, 0xDF, 0x23, 0x01, 0x31,
        ];
        let face = Constructed::parse(&ef, &[0xFF, 0x20]).unwrap();
        assert_eq!(face.require(&[0xDF, 0x25]).unwrap(), [1, 2, 3]);
        // The raw child is as sent (signatures cover these bytes), not the minimal form.
        assert_eq!(face.raw(&[0xDF, 0x25]).unwrap(), &ef[3..11]);
        assert_eq!(face.require(&[0xDF, 0x23]).unwrap(), b"1");
        // A child that runs past its parent is refused.
        let mut long = ef;
        long[7] = 0x05;
        assert!(Constructed::parse(&long, &[0xFF, 0x20]).is_err());
    }

    #[test]
    fn nesting_past_the_limit_is_refused_before_parsing() {
        // Deep enough to exhaust a recursive parser's stack were it let in; refused at the fifth level.
        let deep = nested(3000);
        assert_eq!(
            Constructed::parse(&deep, &[0x30]).err(),
            Some(TlvError::TooDeep(MAX_DEPTH))
        );
        assert_eq!(
            Constructed::parse(&nested(MAX_DEPTH + 1), &[0x30]).err(),
            Some(TlvError::TooDeep(MAX_DEPTH))
        );
        let fits = nested(MAX_DEPTH);
        assert_eq!(
            Constructed::parse(&fits, &[0x30]).map(|c| c.child_tags()),
            Ok(vec![vec![0x30]])
        );
    }
    use proptest::prelude::*;

    #[test]
    fn card_face_shape_parses_and_filler_is_ignored() {
        let mut inner = encode(&[0xDF, 0x22], b"19800217");
        inner.extend(encode(&[0xDF, 0x23], b"1"));
        inner.extend(encode(&[0xDF, 0x27], &[0xAB; 300]));
        let mut ef = encode(&[0xFF, 0x20], &inner);
        ef.extend_from_slice(&[0xFF; 40]);
        let face = Constructed::parse(&ef, &[0xFF, 0x20]).unwrap();
        assert_eq!(face.require(&[0xDF, 0x22]).unwrap(), b"19800217");
        assert_eq!(face.require(&[0xDF, 0x27]).unwrap().len(), 300);
        assert_eq!(face.get(&[0xDF, 0x29]).unwrap(), None);
        let missing = face.require(&[0xDF, 0x29]).unwrap_err();
        assert_eq!(missing, TlvError::Missing(vec![0xDF, 0x29]));
        assert_eq!(missing.to_string(), "required tag DF29 is missing");
        let other = Constructed::parse(&ef, &[0x7F, 0x21]).unwrap_err();
        assert_eq!(other.to_string(), "malformed TLV: expected tag 7F21, found FF20");
        let h = header(&ef).unwrap();
        assert_eq!(h.total_len(), ef.len() - 40);
    }

    #[test]
    fn my_number_ef_with_long_form_tag() {
        // `FF 10 0C` + 12 digits + `FF FF` filler, 17 bytes (docs/CARD-NOTES.md §4.2).
        let mut ef = vec![0xFF, 0x10, 0x0C];
        ef.extend_from_slice(b"123456789012");
        ef.extend_from_slice(&[0xFF, 0xFF]);
        let h = header(&ef).unwrap();
        assert_eq!(h.tag, [0xFF, 0x10]);
        assert_eq!(h.total_len(), 15);
    }

    #[test]
    fn encoded_lengths_read_back() {
        for n in [0, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x1_0000] {
            let object = encode(&[0x04], &vec![0; n]);
            let h = header(&object).unwrap();
            assert_eq!((h.value_len, h.total_len()), (n, object.len()), "{n}");
        }
        assert_eq!(encode(&[0x04], &[0; 0x80])[..3], [0x04, 0x81, 0x80]);
        assert_eq!(
            encode(&[0x04], &[0; 0x1_0000])[..5],
            [0x04, 0x83, 0x01, 0x00, 0x00]
        );
    }

    #[test]
    fn truncated_is_an_error() {
        assert!(matches!(
            header(&[0x30, 0x82, 0x01]),
            Err(TlvError::Truncated { .. })
        ));
        assert!(first_object(&[0x30, 0x05, 1, 2]).is_err());
        assert!(Constructed::parse(&[0xFF, 0x20, 0x03, 0xDF, 0x22, 0x05], &[0xFF, 0x20]).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn hostile_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = header(&bytes);
            let _ = first_object(&bytes);
            if let Ok(c) = Constructed::parse(&bytes, &[0xFF, 0x20]) {
                let _ = c.get(&[0xDF, 0x22]);
                let _ = c.child_tags();
            }
        }

        #[test]
        fn mutated_valid_objects_never_panic(flip in 0usize..64, value in any::<u8>()) {
            let mut inner = encode(&[0xDF, 0x22], b"19800217");
            inner.extend(encode(&[0xDF, 0x25], &[1; 40]));
            let mut ef = encode(&[0xFF, 0x20], &inner);
            let i = flip % ef.len();
            ef[i] = value;
            if let Ok(c) = Constructed::parse(&ef, &[0xFF, 0x20]) {
                let _ = c.get(&[0xDF, 0x25]);
            }
        }
    }
}
