//! Line breaking for the screens' texts, Japanese first.
//!
//! egui's own wrapping may break a Japanese line between any two characters (epaint 0.37 allows a
//! break before almost every CJK character), which splits words (「く／ださい」「資／格確認書」). The
//! screens therefore break lines here and lay each row out unwrapped.
//!
//! Where a line may break:
//! - between phrases (文節): after a particle (を・に・は・が・で・と・の・て・も・へ・や・か) that is
//!   followed by a kanji, katakana, an opening bracket, a digit or Latin letter, or the honorific お／ご;
//! - after 、。 and similar marks, and after a closing bracket that is not followed by kana;
//! - before an opening bracket;
//! - after a space (English and Latin words);
//! - where the string marks it with a zero-width space (U+200B, written `\u200B` in the TOML files) —
//!   for a phrase boundary the rules above miss.
//!
//! Never (the basic rules of JIS X 4051 §6.1, 行頭禁則・行末禁則): before a closing mark
//! (。、」）・ー small kana …) and after an opening one (「（ …). A phrase wider than the whole line is
//! the only case where a line breaks elsewhere; that is reported as a bad break ([`Rows::forced`]), and
//! the layout check fails on it.

/// The explicit break opportunity in the strings files.
pub const ZWSP: char = '\u{200B}';

/// Characters that must not start a line (行頭禁則, JIS X 4051 cl. 6.1.1): closing brackets, 、。,
/// middle dots and colons, ！？, small kana, the prolonged sound mark and iteration marks.
pub fn no_line_start(c: char) -> bool {
    matches!(
        c,
        '、' | '。'
            | '，'
            | '．'
            | ','
            | '.'
            | '」'
            | '』'
            | '）'
            | ')'
            | '］'
            | ']'
            | '｝'
            | '}'
            | '】'
            | '〕'
            | '〉'
            | '》'
            | '”'
            | '’'
            | '・'
            | '：'
            | '；'
            | ':'
            | ';'
            | '！'
            | '？'
            | '!'
            | '?'
            | 'ー'
            | '…'
            | '‥'
            | '々'
            | 'ゝ'
            | 'ゞ'
            | 'ヽ'
            | 'ヾ'
            | 'ぁ'
            | 'ぃ'
            | 'ぅ'
            | 'ぇ'
            | 'ぉ'
            | 'っ'
            | 'ゃ'
            | 'ゅ'
            | 'ょ'
            | 'ゎ'
            | 'ァ'
            | 'ィ'
            | 'ゥ'
            | 'ェ'
            | 'ォ'
            | 'ッ'
            | 'ャ'
            | 'ュ'
            | 'ョ'
            | 'ヮ'
            | 'ヵ'
            | 'ヶ'
            | '％'
            | '%'
    )
}

/// Characters that must not end a line (行末禁則, JIS X 4051 cl. 6.1.2): opening brackets and quotes.
pub fn no_line_end(c: char) -> bool {
    matches!(
        c,
        '「' | '『' | '（' | '(' | '［' | '[' | '｛' | '{' | '【' | '〔' | '〈' | '《' | '“' | '‘'
    )
}

fn is_hiragana(c: char) -> bool {
    ('\u{3041}'..='\u{309F}').contains(&c)
}

fn is_katakana(c: char) -> bool {
    ('\u{30A0}'..='\u{30FF}').contains(&c)
}

fn is_kanji(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || c == '々' || c == '〆'
}

/// A particle that ends a phrase (文節) when a content word follows.
fn is_particle(c: char) -> bool {
    matches!(
        c,
        'を' | 'に' | 'は' | 'が' | 'で' | 'と' | 'の' | 'て' | 'も' | 'へ' | 'や' | 'か'
    )
}

/// Marks after which a line may break (when the next character may start a line).
fn is_break_after_mark(c: char) -> bool {
    matches!(c, '、' | '。' | '，' | '．' | '！' | '？' | '：' | '・')
}

fn is_closing_bracket(c: char) -> bool {
    matches!(c, '」' | '』' | '）' | '】' | '〕' | '〉' | '》')
}

/// A text without its explicit markers, and where a line may break in it: `breaks[i]` says whether a
/// line may start at character `i` of `chars`.
#[derive(Debug, Clone)]
pub struct Breaks {
    pub chars: Vec<char>,
    pub breaks: Vec<bool>,
}

/// The break opportunities of one paragraph (no newline in it).
pub fn opportunities(text: &str) -> Breaks {
    let mut chars = Vec::with_capacity(text.len());
    let mut marked = Vec::with_capacity(text.len());
    let mut pending = false;
    for c in text.chars() {
        if c == ZWSP {
            pending = true;
            continue;
        }
        chars.push(c);
        marked.push(std::mem::take(&mut pending));
    }
    let breaks = (0..chars.len())
        .map(|i| {
            if i == 0 {
                return false;
            }
            let (a, b) = (chars[i - 1], chars[i]);
            if no_line_start(b) || no_line_end(a) || b == ' ' || b == '\u{3000}' {
                return false;
            }
            // A name's full-width space (山田　太郎) is not a break.
            marked[i]
                || a == ' '
                || is_break_after_mark(a)
                || (is_closing_bracket(a) && !is_hiragana(b))
                || (no_line_end(b) && !a.is_ascii_alphanumeric())
                || (is_particle(a)
                    && (is_kanji(b)
                        || is_katakana(b)
                        || b.is_ascii_alphanumeric()
                        || b == 'お'
                        || b == 'ご'
                        || b.is_ascii_digit()))
        })
        .collect();
    Breaks { chars, breaks }
}

/// The text as the screens show it and as it is spoken: without the break markers.
pub fn clean(text: &str) -> String {
    text.chars().filter(|&c| c != ZWSP).collect()
}

/// A text broken into rows for one width.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    pub rows: Vec<String>,
    /// A phrase was wider than the line and had to be broken inside (a bad break).
    pub forced: bool,
    /// A single character was wider than the line (the text cannot fit at all).
    pub overflow: bool,
}

/// Break `text` into rows at most `max_width` wide, as measured by `width` (of a row's text). Newlines
/// in the text end a paragraph.
pub fn break_rows(text: &str, max_width: f32, width: &mut dyn FnMut(&str) -> f32) -> Rows {
    let mut out = Rows::default();
    for paragraph in text.split('\n') {
        let b = opportunities(paragraph);
        // The paragraph's phrases: cut at every opportunity.
        let mut phrases: Vec<String> = Vec::new();
        let mut current = String::new();
        for (i, &c) in b.chars.iter().enumerate() {
            if b.breaks[i] && !current.is_empty() {
                phrases.push(std::mem::take(&mut current));
            }
            current.push(c);
        }
        if !current.is_empty() || phrases.is_empty() {
            phrases.push(current);
        }
        let mut row = String::new();
        for phrase in phrases {
            let candidate = format!("{row}{phrase}");
            if row.is_empty() || width(candidate.trim_end()) <= max_width {
                row = candidate;
            } else {
                out.rows.push(row.trim_end().to_owned());
                row = phrase;
            }
            if width(row.trim_end()) > max_width {
                // One phrase is wider than the line: break it by characters, still never before a
                // closing mark nor after an opening one.
                out.forced = true;
                let mut rest: Vec<char> = row.chars().collect();
                while width(&rest.iter().collect::<String>()) > max_width && rest.len() > 1 {
                    let mut n = 1;
                    while n < rest.len() && width(&rest[..=n].iter().collect::<String>()) <= max_width {
                        n += 1;
                    }
                    // Move the cut back while it would leave a closing mark first or an opening one last.
                    while n > 1 && (no_line_start(rest[n]) || no_line_end(rest[n - 1])) {
                        n -= 1;
                    }
                    if n == 1 && width(&rest[..1].iter().collect::<String>()) > max_width {
                        out.overflow = true;
                    }
                    out.rows.push(rest[..n].iter().collect());
                    rest.drain(..n);
                }
                row = rest.into_iter().collect();
            }
        }
        out.rows.push(row.trim_end().to_owned());
    }
    out
}

/// What is wrong with a text's rows: checked on the rows as laid out, independently of how they were
/// made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreakProblem {
    /// A row starts with a mark that may not start a line (。、」） …).
    StartsWithClosing { row: String },
    /// A row ends with a mark that may not end a line (「（ …).
    EndsWithOpening { row: String },
    /// A row ends where the text has no break opportunity (inside a word or phrase).
    InsideWord { before: String, after: String },
    /// The rows do not spell the text (a bug in the breaking).
    Mismatch,
}

/// Check `rows` laid out from `text`.
pub fn check_rows(text: &str, rows: &[String]) -> Vec<BreakProblem> {
    let mut problems = Vec::new();
    for row in rows {
        if let Some(c) = row.chars().next()
            && no_line_start(c)
        {
            problems.push(BreakProblem::StartsWithClosing { row: row.clone() });
        }
        if let Some(c) = row.chars().last()
            && no_line_end(c)
        {
            problems.push(BreakProblem::EndsWithOpening { row: row.clone() });
        }
    }
    // Walk the paragraphs and their rows together: each row end inside a paragraph must be an
    // opportunity (spaces at a row's end were dropped).
    let mut rows = rows.iter();
    for paragraph in text.split('\n') {
        let b = opportunities(paragraph);
        let mut at = 0;
        loop {
            let Some(row) = rows.next() else {
                problems.push(BreakProblem::Mismatch);
                return problems;
            };
            let row: Vec<char> = row.chars().collect();
            if b.chars.get(at..at + row.len()) != Some(&row[..]) {
                problems.push(BreakProblem::Mismatch);
                return problems;
            }
            at += row.len();
            while b.chars.get(at) == Some(&' ') {
                at += 1;
            }
            if at >= b.chars.len() {
                break;
            }
            if !b.breaks[at] {
                problems.push(BreakProblem::InsideWord {
                    before: b.chars[at.saturating_sub(3)..at].iter().collect(),
                    after: b.chars[at..(at + 3).min(b.chars.len())].iter().collect(),
                });
            }
        }
    }
    if rows.next().is_some() {
        problems.push(BreakProblem::Mismatch);
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character one unit wide: `max` is the characters per row.
    fn rows(text: &str, max: usize) -> Rows {
        break_rows(text, max as f32, &mut |s: &str| s.chars().count() as f32)
    }

    #[test]
    fn phrases_stay_whole() {
        let text = "マイナンバーカードを置いてください";
        let r = rows(text, 12);
        assert_eq!(r.rows, ["マイナンバーカードを", "置いてください"]);
        assert!(!r.forced);
        assert!(check_rows(text, &r.rows).is_empty());
        // 「受付に／お声がけください」, never 「く／ださい」.
        let text = "受付にお声がけください。";
        let r = rows(text, 9);
        assert_eq!(r.rows, ["受付に", "お声がけください。"]);
    }

    #[test]
    fn closing_marks_never_start_a_row_nor_opening_ones_end_it() {
        let text = "暗証番号（数字4桁）を入力してください";
        for max in 8..20 {
            let r = rows(text, max);
            assert!(check_rows(text, &r.rows).is_empty(), "{max}: {:?}", r.rows);
            for row in &r.rows {
                assert!(
                    !row.starts_with('）') && !row.starts_with('を') && !row.ends_with('（'),
                    "{row}"
                );
            }
        }
        let text = "「決定」を押してください。";
        let r = rows(text, 9);
        assert!(check_rows(text, &r.rows).is_empty(), "{:?}", r.rows);
        assert!(
            !r.rows
                .iter()
                .any(|row| row.starts_with('」') || row.ends_with('「'))
        );
    }

    #[test]
    fn explicit_markers_add_breaks_and_vanish() {
        let text = "しばらく\u{200B}お待ちください";
        assert_eq!(clean(text), "しばらくお待ちください");
        assert_eq!(rows("しばらくお待ちください", 7).rows.len(), 2);
        assert!(
            rows("しばらくお待ちください", 7).forced,
            "no break without the marker"
        );
        let r = rows(text, 7);
        assert_eq!(r.rows, ["しばらく", "お待ちください"]);
        assert!(!r.forced);
        assert!(check_rows(text, &r.rows).is_empty());
    }

    #[test]
    fn english_breaks_at_spaces() {
        let text = "Please place your My Number card";
        let r = rows(text, 12);
        assert_eq!(r.rows, ["Please place", "your My", "Number card"]);
        assert!(check_rows(text, &r.rows).is_empty());
    }

    /// The check catches what a careless breaker (egui's own, anywhere in CJK) does.
    #[test]
    fn the_check_fails_on_bad_rows() {
        let text = "カードをお取りください。";
        let bad = ["カードをお取りく".to_owned(), "ださい。".to_owned()];
        assert!(matches!(
            check_rows(text, &bad)[..],
            [BreakProblem::InsideWord { .. }]
        ));
        let bad = ["カードをお取りください".to_owned(), "。".to_owned()];
        assert!(
            check_rows(text, &bad).contains(&BreakProblem::StartsWithClosing { row: "。".into() }),
            "{:?}",
            check_rows(text, &bad)
        );
        let text = "暗証番号（数字4桁）";
        let bad = ["暗証番号（".to_owned(), "数字4桁）".to_owned()];
        assert!(check_rows(text, &bad).contains(&BreakProblem::EndsWithOpening {
            row: "暗証番号（".into()
        }));
    }

    /// A word wider than the line can only be broken inside: the rows say so, and the check agrees.
    #[test]
    fn a_phrase_wider_than_the_line_is_a_forced_break() {
        let text = "被保険者資格申立書をご記入ください";
        let r = rows(text, 6);
        assert!(r.forced);
        assert!(
            check_rows(text, &r.rows)
                .iter()
                .any(|p| matches!(p, BreakProblem::InsideWord { .. })),
            "{:?}",
            r.rows
        );
    }
}
