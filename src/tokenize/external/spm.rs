//! A SentencePiece `.model` (a serialized `sentencepiece.ModelProto`): Gemma, Llama 1/2,
//! Mistral 7B v0.1, T5, …
//!
//! The file is read by a small protobuf reader (only the handful of fields that decide the
//! tokens are needed, so a protobuf crate and generated code would not earn their place) and
//! encoded by a port of SentencePiece's own algorithms, so that counts equal
//! `sentencepiece.SentencePieceProcessor(model_file=…).encode(text)` (no BOS/EOS):
//!
//! - **Normaliser** (`normalizer.cc`): the precompiled character map (a Darts double-array trie
//!   of rewrite rules, longest match wins; user-defined symbols are never rewritten), then
//!   `remove_extra_whitespaces` (drop leading and trailing spaces, squeeze runs),
//!   `add_dummy_prefix` (one leading space) and `escape_whitespaces` (space → `▁`).
//! - **Unigram** (`unigram_model.cc`, the optimised Viterbi SentencePiece uses by default):
//!   the best-scoring segmentation, with SentencePiece's exact score arithmetic (a double sum
//!   stored as a float), its tie rule (the first candidate found wins), user-defined symbols'
//!   bonus and the unknown-character penalty (lowest score − 10).
//! - **BPE** (`bpe_model.cc`): merge the adjacent pair whose result has the highest score,
//!   leftmost on ties; user-defined symbols are never merged; unused pieces are split back into
//!   the pair they were made of.
//! - **Unknown pieces**: with `byte_fallback`, one `<0xXX>` token per UTF-8 byte; without it,
//!   a run of unknown pieces is one `<unk>` token (as SentencePiece merges them).
//!
//! Control symbols (`<s>`, `</s>`, Gemma's `<start_of_turn>` when it is a control symbol) are
//! never matched in text, as in SentencePiece itself. Refused with an error naming the part:
//! model types `WORD` and `CHAR`, `treat_whitespace_as_suffix`, a model with no `<unk>` piece,
//! byte fallback without all 256 byte pieces, and malformed protobuf.

use std::collections::{BinaryHeap, HashMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PieceType {
    Normal,
    Unknown,
    Control,
    UserDefined,
    Unused,
    Byte,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ModelType {
    Unigram,
    Bpe,
}

struct Piece {
    text: String,
    score: f32,
    kind: PieceType,
}

pub struct SpmTokenizer {
    model_type: ModelType,
    pieces: Vec<Piece>,
    /// NORMAL, USER_DEFINED and UNUSED pieces: what text can be segmented into.
    vocab: HashMap<String, u32>,
    /// User-defined symbols (always one token, never normalised, never merged).
    user_defined: std::collections::HashSet<String>,
    max_user_defined_len: usize,
    max_piece_len: usize,
    unk_id: u32,
    byte_ids: Option<[u32; 256]>,
    min_score: f32,
    max_score: f32,
    normalizer: Normalizer,
}

struct Normalizer {
    charsmap: Option<CharsMap>,
    add_dummy_prefix: bool,
    remove_extra_whitespaces: bool,
    escape_whitespaces: bool,
}

const SPACE_SYMBOL: &str = "\u{2581}";

impl SpmTokenizer {
    pub fn parse(bytes: &[u8]) -> Result<SpmTokenizer, String> {
        let not_spm = |what: String| {
            format!("is not a SentencePiece model (or is damaged): {what} (protobuf ModelProto)")
        };
        let mut pieces = Vec::new();
        let mut trainer: Option<&[u8]> = None;
        let mut normalizer: Option<&[u8]> = None;
        for field in Reader::new(bytes) {
            let (num, value) = field.map_err(not_spm)?;
            match (num, value) {
                (1, Value::Bytes(b)) => pieces.push(parse_piece(b).map_err(not_spm)?),
                (2, Value::Bytes(b)) => trainer = Some(b),
                (3, Value::Bytes(b)) => normalizer = Some(b),
                (1..=3, _) => return Err(not_spm(format!("field {num} has the wrong wire type"))),
                _ => {}
            }
        }
        if pieces.is_empty() {
            return Err(not_spm("it has no pieces".into()));
        }
        let mut model_type = 1u64;
        let mut byte_fallback = false;
        let mut suffix = false;
        if let Some(t) = trainer {
            for field in Reader::new(t) {
                match field.map_err(|e| not_spm(format!("trainer_spec: {e}")))? {
                    (3, Value::Varint(v)) => model_type = v,
                    (24, Value::Varint(v)) => suffix = v != 0,
                    (35, Value::Varint(v)) => byte_fallback = v != 0,
                    _ => {}
                }
            }
        }
        let model_type = match model_type {
            1 => ModelType::Unigram,
            2 => ModelType::Bpe,
            3 => return Err("trainer_spec.model_type is WORD, which tokenbudget does not support (only UNIGRAM and BPE models)".into()),
            4 => return Err("trainer_spec.model_type is CHAR, which tokenbudget does not support (only UNIGRAM and BPE models)".into()),
            n => return Err(format!("trainer_spec.model_type {n} is not a SentencePiece model type tokenbudget knows (only UNIGRAM and BPE)")),
        };
        if suffix {
            return Err("trainer_spec.treat_whitespace_as_suffix is set, which tokenbudget does not support".into());
        }
        let mut norm = Normalizer {
            charsmap: None,
            add_dummy_prefix: true,
            remove_extra_whitespaces: true,
            escape_whitespaces: true,
        };
        if let Some(n) = normalizer {
            for field in Reader::new(n) {
                match field.map_err(|e| not_spm(format!("normalizer_spec: {e}")))? {
                    (2, Value::Bytes(b)) if !b.is_empty() => {
                        norm.charsmap = Some(CharsMap::parse(b).map_err(|e| {
                            format!("normalizer_spec.precompiled_charsmap is damaged: {e}")
                        })?);
                    }
                    (3, Value::Varint(v)) => norm.add_dummy_prefix = v != 0,
                    (4, Value::Varint(v)) => norm.remove_extra_whitespaces = v != 0,
                    (5, Value::Varint(v)) => norm.escape_whitespaces = v != 0,
                    _ => {}
                }
            }
        }
        let mut vocab = HashMap::new();
        let mut user_defined = std::collections::HashSet::new();
        let mut unk_id = None;
        let mut byte_ids = [u32::MAX; 256];
        let mut min_score = f32::MAX;
        // SentencePiece starts from FLT_MIN (the smallest positive float), not -FLT_MAX
        let mut max_score = f32::MIN_POSITIVE;
        let mut max_piece_len = 1;
        for (i, p) in pieces.iter().enumerate() {
            let id = i as u32;
            match p.kind {
                PieceType::Normal | PieceType::UserDefined | PieceType::Unused => {
                    if p.text.is_empty() {
                        return Err(format!("piece {i} is empty"));
                    }
                    if vocab.insert(p.text.clone(), id).is_some() {
                        return Err(format!("piece {i} ({:?}) appears twice", p.text));
                    }
                    max_piece_len = max_piece_len.max(p.text.len());
                }
                PieceType::Unknown => {
                    if unk_id.is_some() {
                        return Err(format!("piece {i} is a second <unk> piece"));
                    }
                    unk_id = Some(id);
                }
                PieceType::Byte => {
                    let b = super::hf::byte_fallback_piece(&p.text).ok_or_else(|| {
                        format!(
                            "piece {i} ({:?}) is a byte piece not spelled <0xXX>",
                            p.text
                        )
                    })?;
                    byte_ids[usize::from(b)] = id;
                }
                PieceType::Control => {}
            }
            if p.kind == PieceType::UserDefined {
                user_defined.insert(p.text.clone());
            }
            if p.kind == PieceType::Normal {
                min_score = min_score.min(p.score);
                max_score = max_score.max(p.score);
            }
        }
        let unk_id =
            unk_id.ok_or("has no <unk> piece (type UNKNOWN), which SentencePiece requires")?;
        let byte_ids = if byte_fallback {
            if let Some(b) = byte_ids.iter().position(|&id| id == u32::MAX) {
                return Err(format!(
                    "trainer_spec.byte_fallback is set but there is no byte piece <0x{b:02X}>"
                ));
            }
            Some(byte_ids)
        } else {
            None
        };
        let max_user_defined_len = user_defined.iter().map(String::len).max().unwrap_or(0);
        Ok(SpmTokenizer {
            model_type,
            pieces,
            vocab,
            user_defined,
            max_user_defined_len,
            max_piece_len,
            unk_id,
            byte_ids,
            min_score,
            max_score,
            normalizer: norm,
        })
    }

    /// `unigram` or `bpe`.
    pub fn model_type(&self) -> &'static str {
        match self.model_type {
            ModelType::Unigram => "unigram",
            ModelType::Bpe => "bpe",
        }
    }

    pub fn count(&self, text: &str) -> usize {
        let mut n = 0;
        self.encode_with(text, &mut |_| n += 1);
        n
    }

    pub fn encode(&self, text: &str) -> Vec<u32> {
        let mut out = Vec::new();
        self.encode_with(text, &mut |id| out.push(id));
        out
    }

    pub fn token_bytes(&self, id: u32) -> Vec<u8> {
        let Some(p) = self.pieces.get(id as usize) else {
            return Vec::new();
        };
        if p.kind == PieceType::Byte
            && let Some(b) = super::hf::byte_fallback_piece(&p.text)
        {
            return vec![b];
        }
        p.text.replace(SPACE_SYMBOL, " ").into_bytes()
    }

    fn encode_with(&self, text: &str, emit: &mut dyn FnMut(u32)) {
        let normalized = self.normalize(text);
        if normalized.is_empty() {
            return;
        }
        let pieces = match self.model_type {
            ModelType::Unigram => self.viterbi(&normalized),
            ModelType::Bpe => self.bpe(&normalized),
        };
        let mut prev_unk = false;
        for (start, end, id) in pieces {
            let unk = id == self.unk_id;
            if unk && let Some(bytes) = &self.byte_ids {
                for b in normalized.as_bytes()[start..end].iter() {
                    emit(bytes[usize::from(*b)]);
                }
                prev_unk = false;
                continue;
            }
            // a run of unknown pieces is one <unk>
            if !(unk && prev_unk) {
                emit(id);
            }
            prev_unk = unk;
        }
    }

    /// The longest user-defined symbol at the start of `s`, as a byte length.
    fn user_defined_prefix(&self, s: &str) -> Option<usize> {
        if self.user_defined.is_empty() {
            return None;
        }
        let mut len = self.max_user_defined_len.min(s.len());
        while len > 0 {
            if s.is_char_boundary(len) && self.user_defined.contains(&s[..len]) {
                return Some(len);
            }
            len -= 1;
        }
        None
    }

    fn normalize(&self, input: &str) -> String {
        let n = &self.normalizer;
        let mut input = input;
        let mut out = String::with_capacity(input.len() + 3);
        let space = if n.escape_whitespaces {
            SPACE_SYMBOL
        } else {
            " "
        };
        if n.remove_extra_whitespaces {
            while !input.is_empty() {
                let (s, len) = self.normalize_prefix(input);
                if s != " " {
                    break;
                }
                input = &input[len..];
            }
        }
        if input.is_empty() {
            return out;
        }
        if n.add_dummy_prefix {
            out.push_str(space);
        }
        let mut prev_space = n.remove_extra_whitespaces;
        while !input.is_empty() {
            let (mut s, len) = self.normalize_prefix(input);
            if prev_space {
                while let Some(rest) = s.strip_prefix(' ') {
                    s = rest;
                }
            }
            if !s.is_empty() {
                for c in s.chars() {
                    if n.escape_whitespaces && c == ' ' {
                        out.push_str(SPACE_SYMBOL);
                    } else {
                        out.push(c);
                    }
                }
                prev_space = s.ends_with(' ');
            }
            input = &input[len..];
            if !n.remove_extra_whitespaces {
                prev_space = false;
            }
        }
        if n.remove_extra_whitespaces {
            while let Some(rest) = out.strip_suffix(space) {
                let l = rest.len();
                out.truncate(l);
            }
        }
        out
    }

    /// SentencePiece's `NormalizePrefix`: the replacement of the longest rule matching at the
    /// start of `input` and how many bytes it consumes (one character when no rule matches;
    /// a user-defined symbol is kept as it is).
    fn normalize_prefix<'a>(&'a self, input: &'a str) -> (&'a str, usize) {
        if let Some(len) = self.user_defined_prefix(input) {
            return (&input[..len], len);
        }
        if let Some(map) = &self.normalizer.charsmap
            && let Some((len, rep)) = map.longest(input.as_bytes())
            && input.is_char_boundary(len)
        {
            return (rep, len);
        }
        let len = input.chars().next().map_or(1, char::len_utf8);
        (&input[..len], len)
    }

    /// SentencePiece's optimised Viterbi. Returns `(start, end, id)` per piece.
    fn viterbi(&self, s: &str) -> Vec<(usize, usize, u32)> {
        #[derive(Clone, Copy)]
        struct Node {
            id: u32,
            score: f32,
            start: usize,
            set: bool,
        }
        let size = s.len();
        let unk_score = self.min_score - 10.0f32;
        let mut best = vec![
            Node {
                id: 0,
                score: 0.0,
                start: 0,
                set: false,
            };
            size + 1
        ];
        let mut start = 0;
        while start < size {
            let till_here = best[start].score;
            let mblen = s[start..].chars().next().map_or(1, char::len_utf8);
            let mut has_single = false;
            let max_end = (start + self.max_piece_len).min(size);
            let mut end = start + 1;
            while end <= max_end {
                if !s.is_char_boundary(end) {
                    end += 1;
                    continue;
                }
                if let Some(&id) = self.vocab.get(&s[start..end]) {
                    let p = &self.pieces[id as usize];
                    if p.kind != PieceType::Unused {
                        let len = end - start;
                        let score: f64 = if p.kind == PieceType::UserDefined {
                            f64::from(len as f32 * self.max_score) - 0.1
                        } else {
                            f64::from(p.score)
                        };
                        let cand = score + f64::from(till_here);
                        let t = &mut best[end];
                        if !t.set || cand > f64::from(t.score) {
                            *t = Node {
                                id,
                                score: cand as f32,
                                start,
                                set: true,
                            };
                        }
                        if len == mblen {
                            has_single = true;
                        }
                    }
                }
                end += 1;
            }
            if !has_single {
                let cand = unk_score + till_here;
                let t = &mut best[start + mblen];
                if !t.set || cand > t.score {
                    *t = Node {
                        id: self.unk_id,
                        score: cand,
                        start,
                        set: true,
                    };
                }
            }
            start += mblen;
        }
        let mut out = Vec::new();
        let mut end = size;
        while end > 0 {
            let n = best[end];
            out.push((n.start, end, n.id));
            end = n.start;
        }
        out.reverse();
        out
    }

    /// SentencePiece's BPE encoder. Returns `(start, end, id)` per piece.
    fn bpe(&self, s: &str) -> Vec<(usize, usize, u32)> {
        #[derive(Clone, Copy)]
        struct Sym {
            start: usize,
            end: usize,
            prev: usize,
            next: usize,
            freeze: bool,
        }
        const NONE: usize = usize::MAX;
        let mut syms: Vec<Sym> = Vec::new();
        let mut pos = 0;
        while pos < s.len() {
            let (len, freeze) = match self.user_defined_prefix(&s[pos..]) {
                Some(l) => (l, true),
                None => (s[pos..].chars().next().map_or(1, char::len_utf8), false),
            };
            let i = syms.len();
            syms.push(Sym {
                start: pos,
                end: pos + len,
                prev: if i == 0 { NONE } else { i - 1 },
                next: NONE,
                freeze,
            });
            if i > 0 {
                syms[i - 1].next = i;
            }
            pos += len;
        }
        // heap entry: (score, Reverse(left), left, right, merged byte length)
        #[derive(PartialEq)]
        struct Cand {
            score: f32,
            left: usize,
            right: usize,
            size: usize,
        }
        impl Eq for Cand {}
        impl PartialOrd for Cand {
            fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(o))
            }
        }
        impl Ord for Cand {
            fn cmp(&self, o: &Self) -> std::cmp::Ordering {
                // highest score first; ties: leftmost first
                self.score
                    .total_cmp(&o.score)
                    .then_with(|| o.left.cmp(&self.left))
            }
        }
        let mut heap = BinaryHeap::new();
        let mut rev_merge: HashMap<(usize, usize), (usize, usize)> = HashMap::new();
        let add = |heap: &mut BinaryHeap<Cand>,
                   rev: &mut HashMap<(usize, usize), (usize, usize)>,
                   syms: &[Sym],
                   l: usize,
                   r: usize| {
            if l == NONE || r == NONE || syms[l].freeze || syms[r].freeze {
                return;
            }
            let (a, m, b) = (syms[l].start, syms[r].start, syms[r].end);
            let Some(&id) = self.vocab.get(&s[a..b]) else {
                return;
            };
            let p = &self.pieces[id as usize];
            if p.kind == PieceType::Unused {
                rev.insert((a, b), (a, m));
            }
            heap.push(Cand {
                score: p.score,
                left: l,
                right: r,
                size: b - a,
            });
        };
        for i in 1..syms.len() {
            add(&mut heap, &mut rev_merge, &syms, i - 1, i);
        }
        while let Some(top) = heap.pop() {
            let (l, r) = (top.left, top.right);
            let (ls, rs) = (syms[l], syms[r]);
            if ls.start == ls.end
                || rs.start == rs.end
                || (ls.end - ls.start) + (rs.end - rs.start) != top.size
                || ls.next != r
            {
                continue;
            }
            syms[l].end = rs.end;
            syms[l].next = rs.next;
            if rs.next != NONE {
                syms[rs.next].prev = l;
            }
            syms[r].start = rs.end;
            syms[r].end = rs.end;
            let prev = syms[l].prev;
            let next = syms[l].next;
            add(&mut heap, &mut rev_merge, &syms, prev, l);
            add(&mut heap, &mut rev_merge, &syms, l, next);
        }
        let mut out = Vec::new();
        let mut i = if syms.is_empty() { NONE } else { 0 };
        while i != NONE {
            self.resegment(s, syms[i].start, syms[i].end, &rev_merge, &mut out);
            i = syms[i].next;
        }
        out
    }

    fn resegment(
        &self,
        s: &str,
        a: usize,
        b: usize,
        rev: &HashMap<(usize, usize), (usize, usize)>,
        out: &mut Vec<(usize, usize, u32)>,
    ) {
        let id = self.piece_to_id(&s[a..b]);
        if id != self.unk_id
            && self.pieces[id as usize].kind == PieceType::Unused
            && let Some(&(_, m)) = rev.get(&(a, b))
        {
            self.resegment(s, a, m, rev, out);
            self.resegment(s, m, b, rev, out);
            return;
        }
        out.push((a, b, id));
    }

    fn piece_to_id(&self, piece: &str) -> u32 {
        if let Some(&id) = self.vocab.get(piece) {
            return id;
        }
        // reserved pieces (control, unknown, byte) are looked up too
        self.pieces
            .iter()
            .position(|p| {
                matches!(
                    p.kind,
                    PieceType::Control | PieceType::Unknown | PieceType::Byte
                ) && p.text == piece
            })
            .map_or(self.unk_id, |i| i as u32)
    }
}

fn parse_piece(b: &[u8]) -> Result<Piece, String> {
    let mut text = None;
    let mut score = 0.0f32;
    let mut kind = PieceType::Normal;
    for field in Reader::new(b) {
        match field.map_err(|e| format!("a piece: {e}"))? {
            (1, Value::Bytes(t)) => {
                text = Some(
                    String::from_utf8(t.to_vec())
                        .map_err(|_| "a piece is not UTF-8".to_string())?,
                );
            }
            (2, Value::Fixed32(v)) => score = f32::from_bits(v),
            (3, Value::Varint(v)) => {
                kind = match v {
                    1 => PieceType::Normal,
                    2 => PieceType::Unknown,
                    3 => PieceType::Control,
                    4 => PieceType::UserDefined,
                    5 => PieceType::Unused,
                    6 => PieceType::Byte,
                    n => return Err(format!("piece type {n} is not a SentencePiece piece type")),
                };
            }
            _ => {}
        }
    }
    Ok(Piece {
        text: text.unwrap_or_default(),
        score,
        kind,
    })
}

/// The precompiled character map: a Darts double-array trie of rules, then their
/// NUL-terminated replacements.
struct CharsMap {
    units: Vec<u32>,
    normalized: Vec<u8>,
}

impl CharsMap {
    fn parse(b: &[u8]) -> Result<CharsMap, String> {
        let size = b
            .get(..4)
            .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
            .ok_or("shorter than its header")?;
        let trie = b.get(4..4 + size).ok_or("its trie is cut short")?;
        if size % 4 != 0 || size == 0 {
            return Err("its trie size is not a positive multiple of 4".into());
        }
        let units = trie
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Ok(CharsMap {
            units,
            normalized: b[4 + size..].to_vec(),
        })
    }

    /// The longest rule matching a prefix of `key`: its byte length and replacement.
    fn longest(&self, key: &[u8]) -> Option<(usize, &str)> {
        let offset = |u: u32| ((u >> 10) << ((u & (1 << 9)) >> 6)) as usize;
        let label = |u: u32| u & ((1 << 31) | 0xFF);
        let has_leaf = |u: u32| (u >> 8) & 1 == 1;
        let mut pos = offset(*self.units.first()?);
        let mut found = None;
        for (i, &c) in key.iter().enumerate() {
            if c == 0 {
                break;
            }
            pos ^= usize::from(c);
            let unit = *self.units.get(pos)?;
            if label(unit) != u32::from(c) {
                break;
            }
            pos ^= offset(unit);
            if has_leaf(unit) {
                let value = (*self.units.get(pos)? & ((1 << 31) - 1)) as usize;
                found = Some((i + 1, value));
            }
        }
        let (len, value) = found?;
        let rest = self.normalized.get(value..)?;
        let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
        let rep = std::str::from_utf8(&rest[..end]).ok()?;
        Some((len, rep))
    }
}

enum Value<'a> {
    Varint(u64),
    Fixed64,
    Bytes(&'a [u8]),
    Fixed32(u32),
}

/// A protobuf wire-format reader: yields `(field number, value)`.
struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
    failed: bool,
}

impl<'a> Reader<'a> {
    fn new(b: &'a [u8]) -> Self {
        Reader {
            b,
            pos: 0,
            failed: false,
        }
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self
                .b
                .get(self.pos)
                .ok_or_else(|| format!("a number is cut short at byte {}", self.pos))?;
            self.pos += 1;
            v |= u64::from(byte & 0x7F) << shift;
            if byte & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(format!("a number is too long at byte {}", self.pos))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.b.len())
            .ok_or_else(|| format!("a field is cut short at byte {}", self.pos))?;
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn field(&mut self) -> Result<(u64, Value<'a>), String> {
        let key = self.varint()?;
        let num = key >> 3;
        let v = match key & 7 {
            0 => Value::Varint(self.varint()?),
            1 => {
                self.take(8)?;
                Value::Fixed64
            }
            2 => {
                let n = usize::try_from(self.varint()?).map_err(|_| "a length is too large")?;
                Value::Bytes(self.take(n)?)
            }
            5 => {
                let s = self.take(4)?;
                Value::Fixed32(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
            }
            w => {
                return Err(format!(
                    "wire type {w} at byte {} is not supported",
                    self.pos
                ));
            }
        };
        if num == 0 {
            return Err("field number 0".into());
        }
        Ok((num, v))
    }
}

impl<'a> Iterator for Reader<'a> {
    type Item = Result<(u64, Value<'a>), String>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.b.len() {
            return None;
        }
        let r = self.field();
        self.failed = r.is_err();
        Some(r)
    }
}
