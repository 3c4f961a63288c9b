//! Counting an input of any size in bounded memory: it is read in blocks of [`BLOCK`] bytes,
//! each block cut where the result cannot depend on the cut, and the blocks are counted on
//! worker threads while the next ones are read.
//!
//! - Plain text is cut only at a safe split point ([`crate::tokenize::last_safe_split`]: a
//!   place where every pre-tokenizer cuts anyway, the argument of the parallel split), so the
//!   sum of the blocks' counts is the count of the whole text.
//! - JSONL is cut after a newline, so every block holds whole lines; the per-line results are
//!   put back in line order before they are added up, so statistics and `file:line` errors come
//!   out exactly as from one pass.
//!
//! Memory: at most `2 × workers + 2` blocks are alive at once (one being read, one queued and
//! one being counted per worker, and the carry-over), ~12 MiB for two workers. A stretch of
//! plain text longer than a block with no safe split point in it (one word, number, run of
//! white space or of punctuation — a single pre-token piece longer than 2 MiB, which the merge
//! has to hold whole anyway — or a run of letter-mark text) grows the block until a split point
//! arrives; a JSONL line longer than a block likewise stays whole.
//!
//! UTF-8 is checked block by block (a cut always lies on a char boundary of valid text), and
//! the first invalid byte is reported with its offset in the whole input, as when the input is
//! read at once.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};

/// Bytes read per block.
pub const BLOCK: usize = 2 << 20;

use crate::count::{FieldPath, JsonlAcc, jsonl_lines};
use crate::request::Options;
use crate::tokenize::Tokenizer;

/// Count plain text read from `head` and then `r`, in blocks of about `block` bytes on
/// `workers` threads. Returns the bytes read and the count, or the offset of the first invalid
/// UTF-8 byte.
pub fn count_text(
    tok: &Tokenizer,
    r: &mut dyn Read,
    head: Vec<u8>,
    block: usize,
    workers: usize,
    read: &dyn Fn(u64),
) -> io::Result<(u64, Result<u64, u64>)> {
    let mut tokens = 0u64;
    let mut bad: Option<u64> = None;
    let bytes = run(
        r,
        head,
        Cut::Text,
        block,
        workers,
        read,
        || tok.counter(),
        |counter, b| block_text(b).map(|text| counter.count(text) as u64),
        |res| match res {
            Ok(n) => tokens += n,
            Err(at) => {
                // blocks arrive in order: the first error seen is the first in the input
                bad.get_or_insert(at);
            }
        },
    )?;
    Ok((bytes, bad.map_or(Ok(tokens), Err)))
}

/// Count JSONL read from `head` and then `r` (see [`count_text`]) into `acc`, line by line in
/// line order, requests counted with `opts`. With `fields`, only those fields of each line
/// count. Returns the bytes read and
/// the offset of the first invalid UTF-8 byte, if any (the lines after it are not added).
#[allow(clippy::too_many_arguments)]
pub fn count_jsonl(
    tok: &Tokenizer,
    opts: &Options,
    r: &mut dyn Read,
    head: Vec<u8>,
    block: usize,
    workers: usize,
    read: &dyn Fn(u64),
    fields: &[FieldPath],
    acc: &mut JsonlAcc,
) -> io::Result<(u64, Option<u64>)> {
    let mut bad: Option<u64> = None;
    let bytes = run(
        r,
        head,
        Cut::Lines,
        block,
        workers,
        read,
        || tok.counter(),
        |counter, b| {
            block_text(b).map(|text| jsonl_lines(counter, opts, text, b.lines_before + 1, fields))
        },
        |res| match res {
            Ok(lines) if bad.is_none() => {
                for (line, r) in lines {
                    acc.push(line, r);
                }
            }
            Ok(_) => {}
            Err(at) => {
                bad.get_or_insert(at);
            }
        },
    )?;
    Ok((bytes, bad))
}

/// Why a stream could not be counted.
#[derive(Debug)]
pub enum Fail {
    Io(io::Error),
    /// Invalid UTF-8: the offset of the first invalid byte in the whole input.
    Utf8 {
        offset: u64,
    },
}

impl From<io::Error> for Fail {
    fn from(e: io::Error) -> Self {
        Fail::Io(e)
    }
}

/// Read from `r` until `buf` holds `want` bytes or the input ends; true at the end.
pub fn fill(r: &mut dyn Read, buf: &mut Vec<u8>, want: usize) -> io::Result<bool> {
    if buf.len() >= want {
        return Ok(false);
    }
    let need = want - buf.len();
    buf.reserve(need);
    let got = r.take(need as u64).read_to_end(buf)?;
    Ok(got < need)
}

/// One block of the input.
pub struct Block {
    /// 0-based position among the blocks.
    pub index: usize,
    /// Byte offset of the block in the input.
    pub offset: u64,
    /// Newlines before the block (its first line is line `lines_before + 1`).
    pub lines_before: u64,
    pub data: Vec<u8>,
}

/// How blocks are cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    /// At safe split points of plain text.
    Text,
    /// After a newline.
    Lines,
}

/// The end of the longest prefix of `buf` that can be counted apart from what follows,
/// searching the bytes from `from` on (the bytes before were searched already, in vain).
fn cut_point(cut: Cut, buf: &[u8], from: usize) -> Option<usize> {
    match cut {
        Cut::Text => crate::tokenize::last_safe_split(buf, from.saturating_sub(4)),
        Cut::Lines => memchr::memrchr(b'\n', buf.get(from..)?).map(|i| from + i + 1),
    }
}

/// Read `head` and then the rest of `r` as blocks of about `block` bytes cut by `cut`, run
/// `work` on every block on `workers` threads (each thread gets its own state from `init`),
/// and hand the results to `done` in block order. `read` is told the number of bytes read as
/// they arrive (for a progress bar). Returns the number of bytes read.
#[allow(clippy::too_many_arguments)]
pub fn run<S, T, I, W, D>(
    r: &mut dyn Read,
    head: Vec<u8>,
    cut: Cut,
    block: usize,
    workers: usize,
    read: &dyn Fn(u64),
    init: I,
    work: W,
    mut done: D,
) -> io::Result<u64>
where
    T: Send,
    I: Fn() -> S + Sync,
    W: Fn(&mut S, &Block) -> T + Sync,
    D: FnMut(T),
{
    read(head.len() as u64);
    let mut blocks = Blocks {
        r,
        block: block.max(1),
        buf: head,
        scanned: 0,
        eof: false,
        cut,
        index: 0,
        offset: 0,
        lines_before: 0,
        read,
    };
    if workers <= 1 {
        let mut state = init();
        let mut spare = Vec::new();
        while let Some(b) = blocks.next(std::mem::take(&mut spare))? {
            done(work(&mut state, &b));
            spare = b.data;
            spare.clear();
        }
        return Ok(blocks.offset);
    }
    let (to_workers, from_reader) = mpsc::sync_channel::<Block>(workers);
    let from_reader = Arc::new(Mutex::new(from_reader));
    let (to_reader, results) = mpsc::channel::<(usize, T, Vec<u8>)>();
    let mut pending: BTreeMap<usize, T> = BTreeMap::new();
    let mut next_done = 0usize;
    let mut spares: Vec<Vec<u8>> = Vec::new();
    let mut take = |pending: &mut BTreeMap<usize, T>,
                    spares: &mut Vec<Vec<u8>>,
                    (i, t, mut data): (usize, T, Vec<u8>)| {
        data.clear();
        spares.push(data);
        pending.insert(i, t);
        while let Some(t) = pending.remove(&next_done) {
            done(t);
            next_done += 1;
        }
    };
    std::thread::scope(|s| -> io::Result<u64> {
        for _ in 0..workers {
            let rx = Arc::clone(&from_reader);
            let tx = to_reader.clone();
            let (init, work) = (&init, &work);
            s.spawn(move || worker(&rx, &tx, init, work));
        }
        drop(to_reader);
        let outcome = (|| -> io::Result<()> {
            loop {
                while let Ok(res) = results.try_recv() {
                    take(&mut pending, &mut spares, res);
                }
                let Some(b) = blocks.next(spares.pop().unwrap_or_default())? else {
                    return Ok(());
                };
                if to_workers.send(b).is_err() {
                    return Ok(()); // a worker panicked; its panic is raised below
                }
            }
        })();
        drop(to_workers);
        for res in results.iter() {
            take(&mut pending, &mut spares, res);
        }
        outcome.map(|()| blocks.offset)
    })
}

fn worker<S, T>(
    rx: &Mutex<Receiver<Block>>,
    tx: &mpsc::Sender<(usize, T, Vec<u8>)>,
    init: &(dyn Fn() -> S + Sync),
    work: &(dyn Fn(&mut S, &Block) -> T + Sync),
) {
    let mut state = init();
    loop {
        let next = match rx.lock() {
            Ok(guard) => guard.recv(),
            Err(_) => return,
        };
        let Ok(b) = next else { return };
        let t = work(&mut state, &b);
        if tx.send((b.index, t, b.data)).is_err() {
            return;
        }
    }
}

/// The block reader: fills a buffer, cuts it, and hands out the part before the cut.
struct Blocks<'a> {
    r: &'a mut dyn Read,
    block: usize,
    buf: Vec<u8>,
    /// `buf[..scanned]` holds no cut point
    scanned: usize,
    eof: bool,
    cut: Cut,
    index: usize,
    offset: u64,
    lines_before: u64,
    read: &'a dyn Fn(u64),
}

impl Blocks<'_> {
    /// The next block, its bytes moved out of the buffer (`spare` becomes the new buffer).
    fn next(&mut self, mut spare: Vec<u8>) -> io::Result<Option<Block>> {
        loop {
            if !self.eof {
                let want = self.scanned + self.block;
                let before = self.buf.len();
                self.eof = fill(self.r, &mut self.buf, want)?;
                (self.read)((self.buf.len() - before) as u64);
            }
            if self.buf.is_empty() {
                return Ok(None);
            }
            let end = if self.eof {
                self.buf.len()
            } else {
                match cut_point(self.cut, &self.buf, self.scanned) {
                    Some(x) if x > 0 => x,
                    _ => {
                        self.scanned = self.buf.len();
                        continue;
                    }
                }
            };
            spare.clear();
            spare.extend_from_slice(&self.buf[end..]);
            self.buf.truncate(end);
            let data = std::mem::replace(&mut self.buf, spare);
            self.scanned = 0;
            let block = Block {
                index: self.index,
                offset: self.offset,
                lines_before: self.lines_before,
                data,
            };
            self.index += 1;
            self.offset += block.data.len() as u64;
            if self.cut == Cut::Lines {
                self.lines_before += memchr::memchr_iter(b'\n', &block.data).count() as u64;
            }
            return Ok(Some(block));
        }
    }
}

/// The block's text, or the offset of its first invalid UTF-8 byte in the whole input.
/// Checked with simdutf8 (the same answer as `std::str::from_utf8`, with its `valid_up_to`):
/// std's check took 6 instructions a byte of multilingual text, 7% of a whole count.
pub fn block_text(b: &Block) -> Result<&str, u64> {
    simdutf8::compat::from_utf8(&b.data).map_err(|e| b.offset + e.valid_up_to() as u64)
}
