//! dlib's face-recognition ResNet (`dlib_face_recognition_resnet_model_v1.dat`), ported to Rust.
//!
//! The network (dlib's `dnn_face_recognition_ex.cpp`): a 7×7/2 convolution, affine, ReLU and 3×3/2 max
//! pool; residual stages of 32, 64, 128, 256 and 256 filters, each stage but the first entered with a
//! strided "down" block whose shortcut is a 2×2/2 average pool zero-padded to the wider channel count; a
//! global average pool and a 256→128 fully-connected layer without bias. Convolutions run as im2col +
//! GEMM (ndarray/matrixmultiply), or as a matrix–vector product where there is one output position. The
//! output is the raw 128-d descriptor, compared by Euclidean distance.

use crate::dat::{DatError, Reader};
use ndarray::{Array2, ArrayView2};

/// The fixed input size of the network: a 150×150 RGB face chip.
pub const CHIP_SIZE: usize = 150;

/// A C×H×W activation.
#[derive(Debug, Clone)]
struct Act {
    c: usize,
    h: usize,
    w: usize,
    data: Vec<f32>,
}

#[derive(Debug)]
struct Conv {
    out: usize,
    inp: usize,
    k: usize,
    stride: usize,
    pad: usize,
    weights: Array2<f32>,
    bias: Vec<f32>,
}

#[derive(Debug)]
struct Affine {
    gamma: Vec<f32>,
    beta: Vec<f32>,
}

#[derive(Debug)]
enum Step {
    Conv(Conv),
    Affine(Affine),
    Relu,
    MaxPool { k: usize, s: usize },
    AvgPool { k: usize, s: usize },
    GlobalAvgPool,
    Fc(Array2<f32>),
    SaveTag1,
    SaveTag2,
    SkipToTag1,
    AddTag(u8),
}

/// The loaded network.
#[derive(Debug)]
pub struct FaceNet {
    means: [f32; 3],
    steps: Vec<Step>,
}

/// One layer record of the file, before it is placed in the program.
enum Record {
    Conv(Conv),
    Affine(Affine),
    Relu,
    MaxPool { k: usize, s: usize },
    AvgPool { k: usize, s: usize },
    GlobalAvgPool,
    AddPrev,
    Fc(Array2<f32>),
}

fn read_state(r: &mut Reader<'_>, first: bool) -> Result<(), DatError> {
    for _ in 0..3 {
        r.boolean()?;
    }
    for _ in 0..3 {
        let (_, data) = r.tensor()?;
        if !data.is_empty() {
            return Err(r.err("unexpected training state in the model file"));
        }
    }
    if first {
        r.int(8)?; // sample_expansion_factor
    }
    Ok(())
}

fn small(r: &mut Reader<'_>, what: &str) -> Result<usize, DatError> {
    let v = r.int(8)?;
    usize::try_from(v)
        .ok()
        .filter(|&v| v <= 4096)
        .ok_or_else(|| r.err(format!("implausible {what} {v}")))
}

/// Read one layer record: its name, its parameters, then the training state dlib stores after every layer.
fn read_record(r: &mut Reader<'_>, first: bool) -> Result<Record, DatError> {
    let name = r.string()?;
    let record = match name.as_str() {
        "con_4" => read_conv(r)?,
        "affine_" => read_affine(r)?,
        "relu_" => Record::Relu,
        "max_pool_2" | "avg_pool_2" => read_pool(r, &name)?,
        "add_prev_" => Record::AddPrev,
        "fc_2" => read_fc(r)?,
        other => return Err(r.err(format!("unknown layer {other:?}"))),
    };
    read_state(r, first)?;
    Ok(record)
}

/// A `con_` layer: weights and biases in one tensor, then the filter shape. Only square kernels with equal
/// strides and padding are used by this network; anything else is refused rather than run wrongly.
fn read_conv(r: &mut Reader<'_>) -> Result<Record, DatError> {
    let (dims, params) = r.tensor()?;
    let out = small(r, "filter count")?;
    let (kh, kw) = (small(r, "kernel rows")?, small(r, "kernel columns")?);
    let (sy, sx) = (small(r, "stride")?, small(r, "stride")?);
    let (py, px) = (small(r, "padding")?, small(r, "padding")?);
    let filters = r.alias_tensor()?;
    r.alias_tensor()?;
    for _ in 0..4 {
        r.float()?;
    }
    if kh != kw || sy != sx || py != px || sy == 0 || kh == 0 {
        return Err(r.err("unsupported convolution shape"));
    }
    let inp = filters[1];
    let n_weights = out * inp * kh * kw;
    if dims[0] != n_weights + out || params.len() != n_weights + out || filters[0] != out {
        return Err(r.err("convolution parameter sizes do not match"));
    }
    // The biases move out and the weights stay where they were read (no copy of the largest tensors).
    let mut params = params;
    let bias = params.split_off(n_weights);
    let weights =
        Array2::from_shape_vec((out, inp * kh * kw), params).map_err(|_| r.err("convolution weights"))?;
    Ok(Record::Conv(Conv {
        out,
        inp,
        k: kh,
        stride: sy,
        pad: py,
        weights,
        bias,
    }))
}

/// An `affine_` layer (dlib's inference-time stand-in for batch normalisation): per-channel gamma then beta.
fn read_affine(r: &mut Reader<'_>) -> Result<Record, DatError> {
    let (_, params) = r.tensor()?;
    r.alias_tensor()?;
    r.alias_tensor()?;
    let mode = r.int(8)?;
    if mode != 0 || params.len() % 2 != 0 {
        return Err(r.err("unsupported affine layer"));
    }
    let c = params.len() / 2;
    Ok(Record::Affine(Affine {
        gamma: params[..c].to_vec(),
        beta: params[c..].to_vec(),
    }))
}

/// A `max_pool_` or `avg_pool_` layer (`name` says which). A 0×0 window means global pooling, which the
/// network uses only for averaging.
fn read_pool(r: &mut Reader<'_>, name: &str) -> Result<Record, DatError> {
    let (nr, nc) = (small(r, "pool rows")?, small(r, "pool columns")?);
    let (sy, sx) = (small(r, "stride")?, small(r, "stride")?);
    let (py, px) = (small(r, "padding")?, small(r, "padding")?);
    if py != 0 || px != 0 || sy != sx || nr != nc {
        return Err(r.err("unsupported pooling shape"));
    }
    match (name, nr) {
        ("avg_pool_2", 0) => Ok(Record::GlobalAvgPool),
        ("avg_pool_2", k) => Ok(Record::AvgPool { k, s: sy }),
        (_, 0) => Err(r.err("global max pooling is not used by this network")),
        (_, k) => Ok(Record::MaxPool { k, s: sy }),
    }
}

/// The final `fc_` layer: an inputs×outputs weight matrix, without bias in this network.
fn read_fc(r: &mut Reader<'_>) -> Result<Record, DatError> {
    let outputs = r.uint()? as usize;
    let inputs = r.uint()? as usize;
    let (_, params) = r.tensor()?;
    r.alias_tensor()?;
    r.alias_tensor()?;
    let bias_mode = r.int(8)?;
    for _ in 0..4 {
        r.float()?;
    }
    if bias_mode != 1 || params.len() != inputs * outputs {
        return Err(r.err("unsupported fully-connected layer (expected no bias)"));
    }
    Ok(Record::Fc(
        Array2::from_shape_vec((inputs, outputs), params).map_err(|_| r.err("fc weights"))?,
    ))
}

/// Build the forward program from the records, checking that they follow the network's definition.
struct Builder {
    records: std::vec::IntoIter<Record>,
    steps: Vec<Step>,
}

impl Builder {
    /// Take the next record and place it in the program if `accept` recognises it as `want`.
    fn take(&mut self, want: &str, accept: impl FnOnce(Record) -> Option<Step>) -> Result<(), DatError> {
        let record = self.records.next().ok_or_else(|| DatError {
            what: format!("the network ends before {want}"),
            offset: 0,
        })?;
        let step = accept(record).ok_or_else(|| DatError {
            what: format!("expected {want}"),
            offset: 0,
        })?;
        self.steps.push(step);
        Ok(())
    }
    fn conv(&mut self, filters: usize, stride: usize) -> Result<(), DatError> {
        self.take(
            &format!("a {filters}-filter convolution, stride {stride}"),
            |r| match r {
                Record::Conv(c) if c.out == filters && c.stride == stride => Some(Step::Conv(c)),
                _ => None,
            },
        )
    }
    fn affine(&mut self) -> Result<(), DatError> {
        self.take("an affine layer", |r| {
            if let Record::Affine(a) = r {
                Some(Step::Affine(a))
            } else {
                None
            }
        })
    }
    fn relu(&mut self) -> Result<(), DatError> {
        self.take("a relu layer", |r| {
            matches!(r, Record::Relu).then_some(Step::Relu)
        })
    }
    fn add_prev(&mut self, tag: u8) -> Result<(), DatError> {
        self.take("add_prev", |r| {
            matches!(r, Record::AddPrev).then_some(Step::AddTag(tag))
        })
    }
    /// con(stride) affine relu con affine.
    fn block(&mut self, filters: usize, stride: usize) -> Result<(), DatError> {
        self.conv(filters, stride)?;
        self.affine()?;
        self.relu()?;
        self.conv(filters, 1)?;
        self.affine()
    }
    /// relu(x + block(x)).
    fn ares(&mut self, filters: usize) -> Result<(), DatError> {
        self.steps.push(Step::SaveTag1);
        self.block(filters, 1)?;
        self.add_prev(1)?;
        self.relu()
    }
    /// relu(avgpool(x) + block(x, stride 2)), the pool's channels zero-padded.
    fn ares_down(&mut self, filters: usize) -> Result<(), DatError> {
        self.steps.push(Step::SaveTag1);
        self.block(filters, 2)?;
        self.steps.push(Step::SaveTag2);
        self.steps.push(Step::SkipToTag1);
        self.take("a 2×2/2 average pool", |r| {
            matches!(r, Record::AvgPool { k: 2, s: 2 }).then_some(Step::AvgPool { k: 2, s: 2 })
        })?;
        self.add_prev(2)?;
        self.relu()
    }
}

impl FaceNet {
    /// Parse the model file. Any deviation from the expected network is an error naming the offset.
    pub fn from_bytes(bytes: &[u8]) -> Result<FaceNet, DatError> {
        FaceNet::read(&mut Reader::new(bytes))
    }

    /// Parse the model as `r` reads it (from the file itself: see [`crate::models::parse_checked`]).
    pub fn read(r: &mut Reader<'_>) -> Result<FaceNet, DatError> {
        if r.int(8)? != 1 {
            return Err(r.err("not a dlib loss layer"));
        }
        r.expect_string("loss_metric_2")?;
        r.float()?; // margin
        r.float()?; // distance threshold
        let mut versions = Vec::with_capacity(130);
        for _ in 0..130 {
            versions.push(r.int(8)?);
        }
        let (twos, ones) = (
            versions.iter().filter(|&&v| v == 2).count(),
            versions.iter().filter(|&&v| v == 1).count(),
        );
        if twos != 107 || ones != 22 || versions[129] != 3 {
            return Err(r.err("layer structure is not dlib's face-recognition ResNet"));
        }
        r.expect_string("input_rgb_image_sized")?;
        let means = [r.float()? as f32, r.float()? as f32, r.float()? as f32];
        let (rows, cols) = (r.uint()?, r.uint()?);
        if rows != CHIP_SIZE as u64 || cols != CHIP_SIZE as u64 {
            return Err(r.err(format!("input size {rows}×{cols}, expected 150×150")));
        }
        let mut records = Vec::with_capacity(108);
        for i in 0..108 {
            records.push(read_record(r, i == 0)?);
        }
        if !r.at_end() {
            return Err(r.err("trailing bytes after the network"));
        }
        let mut b = Builder {
            records: records.into_iter(),
            steps: Vec::new(),
        };
        b.conv(32, 2)?;
        b.affine()?;
        b.relu()?;
        b.take("a 3×3/2 max pool", |r| {
            matches!(r, Record::MaxPool { k: 3, s: 2 }).then_some(Step::MaxPool { k: 3, s: 2 })
        })?;
        for _ in 0..3 {
            b.ares(32)?;
        }
        for (filters, plain) in [(64, 3), (128, 2), (256, 2)] {
            b.ares_down(filters)?;
            for _ in 0..plain {
                b.ares(filters)?;
            }
        }
        b.ares_down(256)?;
        b.take("a global average pool", |r| {
            matches!(r, Record::GlobalAvgPool).then_some(Step::GlobalAvgPool)
        })?;
        b.take("a 256→128 fully-connected layer", |r| match r {
            Record::Fc(w) if w.dim() == (256, 128) => Some(Step::Fc(w)),
            _ => None,
        })?;
        if b.records.next().is_some() {
            return Err(DatError {
                what: "more layers than the network has".into(),
                offset: 0,
            });
        }
        Ok(FaceNet {
            means,
            steps: b.steps,
        })
    }

    /// The 128-d descriptor of a 150×150 RGB chip (row-major, 3 bytes a pixel).
    pub fn descriptor(&self, chip_rgb: &[u8]) -> Option<[f32; 128]> {
        if chip_rgb.len() != CHIP_SIZE * CHIP_SIZE * 3 {
            return None;
        }
        let n = CHIP_SIZE * CHIP_SIZE;
        let mut data = vec![0f32; 3 * n];
        for (i, px) in chip_rgb.chunks_exact(3).enumerate() {
            for c in 0..3 {
                data[c * n + i] = (px[c] as f32 - self.means[c]) / 256.0;
            }
        }
        let mut cur = Act {
            c: 3,
            h: CHIP_SIZE,
            w: CHIP_SIZE,
            data,
        };
        let (mut tag1, mut tag2) = (None, None);
        for step in &self.steps {
            cur = match step {
                Step::Conv(conv) => conv2d(&cur, conv),
                Step::Affine(a) => {
                    let hw = cur.h * cur.w;
                    for (c, chunk) in cur.data.chunks_mut(hw).enumerate() {
                        let (g, b) = (a.gamma[c], a.beta[c]);
                        chunk.iter_mut().for_each(|v| *v = *v * g + b);
                    }
                    cur
                }
                Step::Relu => {
                    cur.data.iter_mut().for_each(|v| *v = v.max(0.0));
                    cur
                }
                Step::MaxPool { k, s } => pool(&cur, *k, *s, true),
                Step::AvgPool { k, s } => pool(&cur, *k, *s, false),
                Step::GlobalAvgPool => {
                    let hw = (cur.h * cur.w) as f32;
                    let data = cur
                        .data
                        .chunks(cur.h * cur.w)
                        .map(|ch| ch.iter().sum::<f32>() / hw)
                        .collect();
                    Act {
                        c: cur.c,
                        h: 1,
                        w: 1,
                        data,
                    }
                }
                Step::Fc(w) => {
                    let x = ArrayView2::from_shape((1, cur.data.len()), &cur.data).ok()?;
                    let y = x.dot(w);
                    Act {
                        c: y.len(),
                        h: 1,
                        w: 1,
                        data: y.iter().copied().collect(),
                    }
                }
                Step::SaveTag1 => {
                    tag1 = Some(cur.clone());
                    cur
                }
                Step::SaveTag2 => {
                    tag2 = Some(cur.clone());
                    cur
                }
                Step::SkipToTag1 => tag1.clone()?,
                Step::AddTag(t) => add_padded(&cur, if *t == 1 { tag1.as_ref()? } else { tag2.as_ref()? }),
            };
        }
        cur.data.try_into().ok()
    }
}

fn conv2d(x: &Act, conv: &Conv) -> Act {
    let (k, s, p) = (conv.k, conv.stride, conv.pad);
    let oh = (x.h + 2 * p - k) / s + 1;
    let ow = (x.w + 2 * p - k) / s + 1;
    let mut cols = Array2::<f32>::zeros((conv.inp * k * k, oh * ow));
    for c in 0..conv.inp {
        let plane = &x.data[c * x.h * x.w..(c + 1) * x.h * x.w];
        for ky in 0..k {
            for kx in 0..k {
                let mut row = cols.row_mut((c * k + ky) * k + kx);
                let row = row.as_slice_mut().unwrap_or_default();
                for oy in 0..oh {
                    let iy = (oy * s + ky) as isize - p as isize;
                    if iy < 0 || iy >= x.h as isize {
                        continue;
                    }
                    let src = &plane[iy as usize * x.w..(iy as usize + 1) * x.w];
                    let dst = &mut row[oy * ow..(oy + 1) * ow];
                    for (ox, d) in dst.iter_mut().enumerate() {
                        let ix = (ox * s + kx) as isize - p as isize;
                        if ix >= 0 && (ix as usize) < x.w {
                            *d = src[ix as usize];
                        }
                    }
                }
            }
        }
    }
    let mut data = if oh * ow == 1 {
        // One output position (the last stage, 1×1): a matrix–vector product reads the filters once,
        // where the GEMM would first copy all of them into its packed layout for a single column.
        conv.weights.dot(&cols.column(0)).into_raw_vec_and_offset().0
    } else {
        conv.weights.dot(&cols).into_raw_vec_and_offset().0
    };
    for (plane, b) in data.chunks_exact_mut(oh * ow).zip(&conv.bias) {
        plane.iter_mut().for_each(|v| *v += b);
    }
    Act {
        c: conv.out,
        h: oh,
        w: ow,
        data,
    }
}

fn pool(x: &Act, k: usize, s: usize, max: bool) -> Act {
    let oh = (x.h - k) / s + 1;
    let ow = (x.w - k) / s + 1;
    let mut data = vec![if max { f32::NEG_INFINITY } else { 0.0 }; x.c * oh * ow];
    let area = (k * k) as f32;
    // A row of outputs at a time, the window's rows in order and each row's taps in order, so every output
    // takes its k×k values in the same order as a plain per-output loop (an average sums alike).
    for (plane, out) in x.data.chunks_exact(x.h * x.w).zip(data.chunks_exact_mut(oh * ow)) {
        for (oy, acc) in out.chunks_exact_mut(ow).enumerate() {
            for ky in 0..k {
                let src = &plane[(oy * s + ky) * x.w..(oy * s + ky + 1) * x.w];
                for (ox, a) in acc.iter_mut().enumerate() {
                    let window = &src[ox * s..ox * s + k];
                    *a = if max {
                        window.iter().fold(*a, |m, &v| m.max(v))
                    } else {
                        window.iter().fold(*a, |m, &v| m + v)
                    };
                }
            }
        }
    }
    if !max {
        data.iter_mut().for_each(|v| *v /= area);
    }
    Act {
        c: x.c,
        h: oh,
        w: ow,
        data,
    }
}

/// Element-wise sum with zero padding to the larger size in every dimension (dlib's add_prev).
fn add_padded(a: &Act, b: &Act) -> Act {
    let (c, h, w) = (a.c.max(b.c), a.h.max(b.h), a.w.max(b.w));
    let mut data = vec![0f32; c * h * w];
    for src in [a, b] {
        for ch in 0..src.c {
            for y in 0..src.h {
                let from = &src.data[(ch * src.h + y) * src.w..(ch * src.h + y + 1) * src.w];
                let to = &mut data[(ch * h + y) * w..(ch * h + y) * w + src.w];
                to.iter_mut().zip(from).for_each(|(t, f)| *t += f);
            }
        }
    }
    Act { c, h, w, data }
}
