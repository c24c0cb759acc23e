//! An RGB image in memory, decoded from JPEG, PNG or JPEG 2000. Face frames and card photos are personal
//! data: the pixels are wiped on drop and `Debug` prints only the size.

use zeroize::Zeroize;

#[derive(Clone, PartialEq, Eq)]
pub struct RgbImage {
    pub width: usize,
    pub height: usize,
    /// Row-major, 3 bytes a pixel.
    pub data: Vec<u8>,
}

impl std::fmt::Debug for RgbImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RgbImage({}x{})", self.width, self.height)
    }
}

impl Drop for RgbImage {
    fn drop(&mut self) {
        self.data.zeroize();
    }
}

/// Why an image could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("the image data is empty")]
    Empty,
    #[error("the image is {0}x{1}; the largest accepted is 8192x8192")]
    TooLarge(u32, u32),
    #[error("not a readable JPEG, PNG or JPEG 2000 image: {0}")]
    Decode(String),
}

/// The largest side we decode; a hostile header must not make us allocate gigabytes.
pub const MAX_SIDE: u32 = 8192;

impl RgbImage {
    /// An image of one colour (a blank frame, a background to draw on).
    pub fn filled(width: usize, height: usize, rgb: [u8; 3]) -> RgbImage {
        RgbImage {
            width,
            height,
            data: rgb.iter().copied().cycle().take(width * height * 3).collect(),
        }
    }

    pub fn new(width: usize, height: usize, data: Vec<u8>) -> Option<RgbImage> {
        (data.len() == width * height * 3).then_some(RgbImage { width, height, data })
    }

    /// A grey image replicated into three channels (how a card photo meets the network, which was
    /// trained on colour: grey pixels are R = G = B).
    pub fn from_grey(width: usize, height: usize, grey: &[u8]) -> Option<RgbImage> {
        (grey.len() == width * height).then(|| RgbImage {
            width,
            height,
            data: grey.iter().flat_map(|&g| [g, g, g]).collect(),
        })
    }

    /// Decode JPEG, PNG (by content) or JPEG 2000 (JP2 container or raw codestream).
    pub fn decode(bytes: &[u8]) -> Result<RgbImage, ImageError> {
        if bytes.is_empty() {
            return Err(ImageError::Empty);
        }
        if bytes.starts_with(&[0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20])
            || bytes.starts_with(&[0xFF, 0x4F, 0xFF, 0x51])
        {
            return decode_jp2(bytes);
        }
        let reader = image::ImageReader::new(std::io::Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| ImageError::Decode(e.to_string()))?;
        let (w, h) = reader
            .into_dimensions()
            .map_err(|e| ImageError::Decode(e.to_string()))?;
        if w > MAX_SIDE || h > MAX_SIDE {
            return Err(ImageError::TooLarge(w, h));
        }
        let img = image::load_from_memory(bytes).map_err(|e| ImageError::Decode(e.to_string()))?;
        let rgb = img.to_rgb8();
        let (w, h) = (rgb.width() as usize, rgb.height() as usize);
        Ok(RgbImage {
            width: w,
            height: h,
            data: rgb.into_raw(),
        })
    }

    /// dlib's intensity of an RGB pixel, `(r + g + b) / 3` in integers; `None` outside the image.
    pub fn intensity(&self, x: i64, y: i64) -> Option<u8> {
        if x < 0 || y < 0 || x >= self.width as i64 || y >= self.height as i64 {
            return None;
        }
        let i = (y as usize * self.width + x as usize) * 3;
        Some(((self.data[i] as u16 + self.data[i + 1] as u16 + self.data[i + 2] as u16) / 3) as u8)
    }

    /// Greyscale (intensity) copy.
    pub fn grey(&self) -> Vec<u8> {
        self.data
            .chunks_exact(3)
            .map(|p| ((p[0] as u16 + p[1] as u16 + p[2] as u16) / 3) as u8)
            .collect()
    }
}

fn decode_jp2(bytes: &[u8]) -> Result<RgbImage, ImageError> {
    let settings = hayro_jpeg2000::DecodeSettings::default();
    let img = hayro_jpeg2000::Image::new(bytes, &settings)
        .map_err(|e| ImageError::Decode(format!("JPEG 2000: {e:?}")))?;
    let (w, h) = (img.width(), img.height());
    if w > MAX_SIDE || h > MAX_SIDE {
        return Err(ImageError::TooLarge(w, h));
    }
    let channels = img.color_space().num_channels() as usize + usize::from(img.has_alpha());
    let mut ctx = hayro_jpeg2000::DecoderContext::default();
    let bitmap = img
        .decode(&mut ctx)
        .map_err(|e| ImageError::Decode(format!("JPEG 2000: {e:?}")))?;
    let raw = bitmap.data_u8();
    let (w, h) = (w as usize, h as usize);
    if raw.len() != w * h * channels || channels == 0 {
        return Err(ImageError::Decode("JPEG 2000: unexpected pixel layout".into()));
    }
    let data = match channels {
        1 | 2 => raw
            .chunks_exact(channels)
            .flat_map(|p| [p[0], p[0], p[0]])
            .collect(),
        _ => raw
            .chunks_exact(channels)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect(),
    };
    Ok(RgbImage {
        width: w,
        height: h,
        data,
    })
}
