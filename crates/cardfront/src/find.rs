//! Finding the card in a frame: the largest bright region (the card is pale; the kiosk's card tray and a
//! hand are darker), its convex hull, and the quadrilateral that best fits the hull. Corners come back
//! ordered top-left, top-right, bottom-right, bottom-left, with the long edge on top (a card held the
//! right way up, turned by less than 45°).

/// The card's corners in frame pixels: top-left, top-right, bottom-right, bottom-left.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quad(pub [(f64, f64); 4]);

impl Quad {
    /// Mean length of the two long edges.
    pub fn width(&self) -> f64 {
        let p = &self.0;
        (dist(p[0], p[1]) + dist(p[3], p[2])) / 2.0
    }

    pub fn height(&self) -> f64 {
        let p = &self.0;
        (dist(p[0], p[3]) + dist(p[1], p[2])) / 2.0
    }

    /// The same card turned by 180° (for a card held upside down).
    pub fn turned(&self) -> Quad {
        let p = self.0;
        Quad([p[2], p[3], p[0], p[1]])
    }

    fn area(&self) -> f64 {
        let p = &self.0;
        let mut a = 0.0;
        for i in 0..4 {
            let (q, r) = (p[i], p[(i + 1) % 4]);
            a += q.0 * r.1 - r.0 * q.1;
        }
        a.abs() / 2.0
    }
}

fn dist(a: (f64, f64), b: (f64, f64)) -> f64 {
    ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
}

/// Why no card was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotFound {
    /// Nothing pale and card-sized in view.
    Nothing,
    /// Something pale, but not a card's shape (a sheet of paper, a card mostly covered).
    NotCardShaped,
}

/// Find the card in a grey frame.
pub fn find_card(grey: &[u8], width: usize, height: usize) -> Result<Quad, NotFound> {
    if width < 16 || height < 16 || grey.len() != width * height {
        return Err(NotFound::Nothing);
    }
    // Work at most 480 pixels wide: plenty for the outline, and quick.
    let step = width.div_ceil(480).max(1);
    let (w, h) = (width / step, height / step);
    let small: Vec<u8> = (0..w * h)
        .map(|i| {
            let (x, y) = (i % w * step, i / w * step);
            let mut sum = 0u32;
            for dy in 0..step {
                for dx in 0..step {
                    sum += u32::from(grey[(y + dy) * width + x + dx]);
                }
            }
            (sum / (step * step) as u32) as u8
        })
        .collect();
    let threshold = otsu(&small);
    let region = largest_region(&small, w, h, threshold);
    if region.len() < w * h / 25 {
        return Err(NotFound::Nothing);
    }
    let hull = hull(&outline(&region, w, h));
    let quad = fit_quad(&hull).ok_or(NotFound::NotCardShaped)?;
    let fill = region.len() as f64 / quad.area().max(1.0);
    let aspect = quad.width() / quad.height().max(1.0);
    if fill < 0.8 || !(1.2..=2.1).contains(&aspect) {
        return Err(NotFound::NotCardShaped);
    }
    let s = step as f64;
    Ok(Quad(quad.0.map(|(x, y)| ((x + 0.5) * s, (y + 0.5) * s))))
}

/// Otsu's threshold (maximum between-class variance).
fn otsu(grey: &[u8]) -> u8 {
    let mut hist = [0u64; 256];
    for &g in grey {
        hist[usize::from(g)] += 1;
    }
    let total = grey.len() as f64;
    let sum: f64 = hist.iter().enumerate().map(|(i, &n)| i as f64 * n as f64).sum();
    let (mut below, mut sum_below, mut best, mut best_t) = (0.0, 0.0, 0.0, 128u8);
    for (t, &n) in hist.iter().enumerate() {
        below += n as f64;
        sum_below += t as f64 * n as f64;
        let above = total - below;
        if below == 0.0 || above == 0.0 {
            continue;
        }
        let (m0, m1) = (sum_below / below, (sum - sum_below) / above);
        let between = below * above * (m0 - m1).powi(2);
        if between > best {
            best = between;
            best_t = t as u8;
        }
    }
    best_t
}

/// The pixels (indexes) of the largest 4-connected region brighter than `threshold`.
fn largest_region(grey: &[u8], w: usize, h: usize, threshold: u8) -> Vec<usize> {
    let mut seen = vec![false; w * h];
    let mut best: Vec<usize> = Vec::new();
    let mut stack = Vec::new();
    for start in 0..w * h {
        if seen[start] || grey[start] <= threshold {
            continue;
        }
        let mut region = Vec::new();
        seen[start] = true;
        stack.push(start);
        while let Some(i) = stack.pop() {
            region.push(i);
            let (x, y) = (i % w, i / w);
            let mut visit = |j: usize| {
                if !seen[j] && grey[j] > threshold {
                    seen[j] = true;
                    stack.push(j);
                }
            };
            if x > 0 {
                visit(i - 1);
            }
            if x + 1 < w {
                visit(i + 1);
            }
            if y > 0 {
                visit(i - w);
            }
            if y + 1 < h {
                visit(i + w);
            }
        }
        if region.len() > best.len() {
            best = region;
        }
    }
    best
}

/// The region's extreme pixels along each row and each column (enough for its convex hull).
fn outline(region: &[usize], w: usize, h: usize) -> Vec<(f64, f64)> {
    let mut rows = vec![(usize::MAX, 0usize); h];
    let mut cols = vec![(usize::MAX, 0usize); w];
    for &i in region {
        let (x, y) = (i % w, i / w);
        rows[y] = (rows[y].0.min(x), rows[y].1.max(x));
        cols[x] = (cols[x].0.min(y), cols[x].1.max(y));
    }
    let mut pts = Vec::new();
    for (y, &(a, b)) in rows.iter().enumerate() {
        if a != usize::MAX {
            pts.push((a as f64, y as f64));
            pts.push((b as f64, y as f64));
        }
    }
    for (x, &(a, b)) in cols.iter().enumerate() {
        if a != usize::MAX {
            pts.push((x as f64, a as f64));
            pts.push((x as f64, b as f64));
        }
    }
    pts
}

/// Convex hull (Andrew's monotone chain), counter-clockwise in y-up terms.
fn hull(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut p = points.to_vec();
    p.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    p.dedup();
    if p.len() < 3 {
        return p;
    }
    let cross =
        |o: (f64, f64), a: (f64, f64), b: (f64, f64)| (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0);
    let mut lower: Vec<(f64, f64)> = Vec::new();
    for &q in &p {
        while lower.len() >= 2 && cross(lower[lower.len() - 2], lower[lower.len() - 1], q) <= 0.0 {
            lower.pop();
        }
        lower.push(q);
    }
    let mut upper: Vec<(f64, f64)> = Vec::new();
    for &q in p.iter().rev() {
        while upper.len() >= 2 && cross(upper[upper.len() - 2], upper[upper.len() - 1], q) <= 0.0 {
            upper.pop();
        }
        upper.push(q);
    }
    lower.pop();
    upper.pop();
    lower.extend(upper);
    lower
}

/// The quadrilateral on the hull: the two points farthest apart (one diagonal), then the farthest hull
/// point on each side of it; corners ordered as [`Quad`] says.
fn fit_quad(hull: &[(f64, f64)]) -> Option<Quad> {
    if hull.len() < 4 {
        return None;
    }
    let mut diag = (0, 0, 0.0);
    for i in 0..hull.len() {
        for j in i + 1..hull.len() {
            let d = dist(hull[i], hull[j]);
            if d > diag.2 {
                diag = (i, j, d);
            }
        }
    }
    let (a, c) = (hull[diag.0], hull[diag.1]);
    let side = |p: (f64, f64)| (c.0 - a.0) * (p.1 - a.1) - (c.1 - a.1) * (p.0 - a.0);
    let b = hull
        .iter()
        .copied()
        .max_by(|p, q| side(*p).total_cmp(&side(*q)))?;
    let d = hull
        .iter()
        .copied()
        .min_by(|p, q| side(*p).total_cmp(&side(*q)))?;
    if side(b) <= 0.0 || side(d) >= 0.0 {
        return None;
    }
    // Clockwise on screen (y down): sort by angle around the centre.
    let mut corners = [a, b, c, d];
    let centre = (
        corners.iter().map(|p| p.0).sum::<f64>() / 4.0,
        corners.iter().map(|p| p.1).sum::<f64>() / 4.0,
    );
    corners.sort_by(|p, q| {
        let ap = (p.1 - centre.1).atan2(p.0 - centre.0);
        let aq = (q.1 - centre.1).atan2(q.0 - centre.0);
        ap.total_cmp(&aq)
    });
    // Start at the corner whose outgoing edge is a long one and lies above its opposite edge.
    let start = (0..4)
        .filter(|&k| {
            let (p, q) = (corners[k], corners[(k + 1) % 4]);
            let (r, s) = (corners[(k + 2) % 4], corners[(k + 3) % 4]);
            dist(p, q) >= dist(q, r) && (p.1 + q.1) <= (r.1 + s.1)
        })
        .min_by(|&k, &l| {
            let y = |k: usize| corners[k].1 + corners[(k + 1) % 4].1;
            y(k).total_cmp(&y(l))
        })?;
    Some(Quad(std::array::from_fn(|i| corners[(start + i) % 4])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_pale_rectangle_on_a_dark_ground() {
        let (w, h) = (400, 300);
        let mut g = vec![60u8; w * h];
        for y in 80..200 {
            for x in 100..290 {
                g[y * w + x] = 230;
            }
        }
        let q = find_card(&g, w, h).expect("a card");
        let expect = [(100.0, 80.0), (290.0, 80.0), (290.0, 200.0), (100.0, 200.0)];
        for (got, want) in q.0.iter().zip(expect) {
            assert!(
                (got.0 - want.0).abs() < 2.0 && (got.1 - want.1).abs() < 2.0,
                "{got:?} vs {want:?}"
            );
        }
        assert_eq!(find_card(&vec![60u8; w * h], w, h), Err(NotFound::Nothing));
    }

    #[test]
    fn a_square_is_not_a_card() {
        let (w, h) = (300, 300);
        let mut g = vec![60u8; w * h];
        for y in 50..250 {
            for x in 50..250 {
                g[y * w + x] = 230;
            }
        }
        assert_eq!(find_card(&g, w, h), Err(NotFound::NotCardShaped));
    }
}
