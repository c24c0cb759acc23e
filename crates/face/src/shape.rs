//! dlib's 5-point shape predictor (an ensemble of regression trees, Kazemi & Sullivan 2014), reading
//! `shape_predictor_5_face_landmarks.dat` and reproducing dlib's integer landmarks.

use crate::dat::{DatError, Reader};
use crate::geometry::{Pt, similarity};
use crate::image::RgbImage;

/// A face box as dlib writes it: inclusive left, top, right, bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaceBox {
    pub left: i64,
    pub top: i64,
    pub right: i64,
    pub bottom: i64,
}

impl FaceBox {
    pub fn width(&self) -> i64 {
        self.right - self.left + 1
    }
    pub fn height(&self) -> i64 {
        self.bottom - self.top + 1
    }
}

/// Five landmarks in dlib's order: outer and inner corner of the eye on the image's right, outer and inner
/// corner of the eye on the image's left, bottom of the nose.
pub type Landmarks = [(i64, i64); 5];

#[derive(Debug)]
struct Split {
    idx1: usize,
    idx2: usize,
    thresh: f32,
}

#[derive(Debug)]
struct Tree {
    splits: Vec<Split>,
    leaves: Vec<Vec<f32>>,
}

#[derive(Debug)]
pub struct ShapePredictor {
    initial: Vec<f32>,
    cascades: Vec<Vec<Tree>>,
    anchors: Vec<Vec<usize>>,
    deltas: Vec<Vec<(f32, f32)>>,
}

impl ShapePredictor {
    /// Read dlib's serialised `shape_predictor`: version, mean shape, the cascades of trees, then each
    /// cascade's feature pixels (anchor landmark and offset), checked to fit together.
    pub fn from_bytes(bytes: &[u8]) -> Result<ShapePredictor, DatError> {
        ShapePredictor::read(&mut Reader::new(bytes))
    }

    /// Parse the model as `r` reads it (from the file itself: see [`crate::models::parse_checked`]).
    pub fn read(r: &mut Reader<'_>) -> Result<ShapePredictor, DatError> {
        if r.int(8)? != 1 {
            return Err(r.err("unknown shape predictor version"));
        }
        let (rows, cols, initial) = r.matrix()?;
        if rows * cols != 10 {
            return Err(r.err("not a 5-point shape predictor"));
        }
        let n_cascades = r.items(2)?;
        let mut cascades = Vec::with_capacity(n_cascades);
        for _ in 0..n_cascades {
            let n_trees = r.items(4)?;
            let mut trees = Vec::with_capacity(n_trees);
            for _ in 0..n_trees {
                trees.push(read_tree(r)?);
            }
            cascades.push(trees);
        }
        let anchors = read_anchors(r)?;
        let deltas = read_deltas(r)?;
        check_tables(r, &cascades, &anchors, &deltas)?;
        if !r.at_end() {
            return Err(r.err("trailing bytes after the shape predictor"));
        }
        Ok(ShapePredictor {
            initial,
            cascades,
            anchors,
            deltas,
        })
    }

    /// The five landmarks of the face in `b`, as dlib's `shape_predictor` gives them.
    pub fn predict(&self, img: &RgbImage, b: FaceBox) -> Landmarks {
        let (l, t) = (b.left as f64, b.top as f64);
        let (w, h) = ((b.right - b.left) as f64, (b.bottom - b.top) as f64);
        let unnormalise = |x: f32, y: f32| Pt::new(l + x as f64 * w, t + y as f64 * h);
        let points =
            |s: &[f32]| -> Vec<Pt> { s.chunks(2).map(|p| Pt::new(p[0] as f64, p[1] as f64)).collect() };
        let initial = points(&self.initial);
        let mut shape = self.initial.clone();
        let mut features = Vec::new();
        for ((trees, anchors), deltas) in self.cascades.iter().zip(&self.anchors).zip(&self.deltas) {
            // Only the linear part of the fit from the mean shape to the current shape, in f32 as dlib.
            let m = similarity(&initial, &points(&shape))
                .m
                .map(|row| row.map(|v| v as f32));
            features.clear();
            for (&a, &(dx, dy)) in anchors.iter().zip(deltas) {
                let qx = m[0][0] * dx + m[0][1] * dy + shape[2 * a];
                let qy = m[1][0] * dx + m[1][1] * dy + shape[2 * a + 1];
                let p = unnormalise(qx, qy);
                let (x, y) = ((p.x + 0.5).floor() as i64, (p.y + 0.5).floor() as i64);
                features.push(img.intensity(x, y).map(f32::from).unwrap_or(0.0));
            }
            for tree in trees {
                let mut node = 0;
                while node < tree.splits.len() {
                    let s = &tree.splits[node];
                    node = if features[s.idx1] - features[s.idx2] > s.thresh {
                        2 * node + 1
                    } else {
                        2 * node + 2
                    };
                }
                for (v, d) in shape.iter_mut().zip(&tree.leaves[node - tree.splits.len()]) {
                    *v += d;
                }
            }
        }
        let mut out = [(0, 0); 5];
        for (o, p) in out.iter_mut().zip(shape.chunks(2)) {
            let q = unnormalise(p[0], p[1]);
            *o = ((q.x + 0.5).floor() as i64, (q.y + 0.5).floor() as i64);
        }
        out
    }
}

/// One regression tree: its splits in breadth-first order, then one 5-point shape update per leaf (a
/// complete tree has one leaf more than it has splits).
fn read_tree(r: &mut Reader<'_>) -> Result<Tree, DatError> {
    let n_splits = r.items(8)?;
    let mut splits = Vec::with_capacity(n_splits);
    for _ in 0..n_splits {
        splits.push(Split {
            idx1: r.count()?,
            idx2: r.count()?,
            thresh: r.float()? as f32,
        });
    }
    let n_leaves = r.items(4)?;
    if n_leaves != n_splits + 1 {
        return Err(r.err("a tree's leaves do not match its splits"));
    }
    let mut leaves = Vec::with_capacity(n_leaves);
    for _ in 0..n_leaves {
        let (_, _, v) = r.matrix()?;
        if v.len() != 10 {
            return Err(r.err("a leaf is not a 5-point shape"));
        }
        leaves.push(v);
    }
    Ok(Tree { splits, leaves })
}

/// Per cascade, the landmark each feature pixel is anchored to; checked here so `predict` can index the
/// shape without a bounds failure.
fn read_anchors(r: &mut Reader<'_>) -> Result<Vec<Vec<usize>>, DatError> {
    let mut anchors = Vec::new();
    for _ in 0..r.items(2)? {
        let n = r.items(2)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            let a = r.count()?;
            if a >= 5 {
                return Err(r.err("anchor index out of range"));
            }
            v.push(a);
        }
        anchors.push(v);
    }
    Ok(anchors)
}

/// Per cascade, each feature pixel's offset from its anchor landmark, in mean-shape coordinates.
fn read_deltas(r: &mut Reader<'_>) -> Result<Vec<Vec<(f32, f32)>>, DatError> {
    let mut deltas = Vec::new();
    for _ in 0..r.items(2)? {
        let n = r.items(8)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push((r.float()? as f32, r.float()? as f32));
        }
        deltas.push(v);
    }
    Ok(deltas)
}

/// The tables must agree: one anchor and one delta list per cascade, of equal length, and every split
/// must compare feature pixels that exist. A corrupt file is refused here instead of panicking later.
fn check_tables(
    r: &Reader<'_>,
    cascades: &[Vec<Tree>],
    anchors: &[Vec<usize>],
    deltas: &[Vec<(f32, f32)>],
) -> Result<(), DatError> {
    if anchors.len() != cascades.len() || deltas.len() != cascades.len() {
        return Err(r.err("cascade tables do not match"));
    }
    for ((trees, a), d) in cascades.iter().zip(anchors).zip(deltas) {
        if a.len() != d.len()
            || trees
                .iter()
                .flat_map(|t| &t.splits)
                .any(|s| s.idx1 >= a.len() || s.idx2 >= a.len())
        {
            return Err(r.err("feature indices out of range"));
        }
    }
    Ok(())
}
