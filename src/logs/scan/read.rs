//! Reading one work item: a plain range, a whole (maybe compressed) file, or stdin;
//! decompression runs on a helper thread, overlapped with parsing.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use super::input::{Compression, FileInfo, Item, Source, sniff};
use super::worker::Worker;

/// Counts bytes read from the underlying (maybe compressed) file for the progress bar.
pub(crate) struct Counting<'p, R> {
    inner: R,
    progress: &'p (dyn Fn(u64) + Sync),
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        (self.progress)(n as u64);
        Ok(n)
    }
}

pub(crate) fn no_progress(_: u64) {}

/// The reading end of [`pipelined`]: blocks of decompressed bytes from another thread.
pub(crate) struct ChannelReader {
    rx: std::sync::mpsc::Receiver<io::Result<Vec<u8>>>,
    cur: Vec<u8>,
    pos: usize,
    done: bool,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.cur.len() {
            if self.done {
                return Ok(0);
            }
            match self.rx.recv() {
                Ok(Ok(v)) => {
                    self.cur = v;
                    self.pos = 0;
                }
                Ok(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                Err(_) => {
                    self.done = true;
                    return Ok(0);
                }
            }
        }
        let n = buf.len().min(self.cur.len() - self.pos);
        buf[..n].copy_from_slice(&self.cur[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Decompress on a helper thread while `consume` parses on this one: a compressed file cannot
/// be split, but inflating and parsing can overlap.
pub(crate) fn pipelined<R: Read + Send, T>(
    r: R,
    consume: impl FnOnce(&mut ChannelReader) -> T,
) -> T {
    const BLOCK: usize = 1 << 20;
    let (tx, rx) = std::sync::mpsc::sync_channel::<io::Result<Vec<u8>>>(8);
    std::thread::scope(|s| {
        s.spawn(move || {
            let mut r = r;
            loop {
                let mut v = vec![0u8; BLOCK];
                let mut n = 0;
                let mut failed = None;
                while n < BLOCK {
                    match r.read(&mut v[n..]) {
                        Ok(0) => break,
                        Ok(k) => n += k,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => {
                            failed = Some(e);
                            break;
                        }
                    }
                }
                v.truncate(n);
                let last = n < BLOCK;
                if n > 0 && tx.send(Ok(v)).is_err() {
                    return;
                }
                if let Some(e) = failed {
                    let _ = tx.send(Err(e));
                    return;
                }
                if last {
                    return;
                }
            }
        });
        let mut reader = ChannelReader {
            rx,
            cur: Vec::new(),
            pos: 0,
            done: false,
        };
        consume(&mut reader)
    })
}

pub(crate) fn run_item(
    w: &mut Worker<'_>,
    idx: u32,
    item: &Item,
    file: &FileInfo,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(), String> {
    let project = file.project.as_deref();
    let result = match &item.source {
        Source::Stdin => {
            use io::BufRead;
            let mut lock = io::BufReader::with_capacity(1 << 20, io::stdin());
            match lock.fill_buf().map(|head| sniff(head, Path::new("-"))) {
                Err(e) => Err(e),
                Ok(Err(reason)) => Err(io::Error::other(reason)),
                Ok(Ok(Compression::None)) => w.read(idx, lock, project, progress),
                Ok(Ok(Compression::Gzip)) => {
                    let dec = flate2::bufread::MultiGzDecoder::new(lock);
                    pipelined(dec, |r| w.read(idx, r, project, progress))
                }
                Ok(Ok(Compression::Zstd)) => zstd::Decoder::with_buffer(lock)
                    .and_then(|d| pipelined(d, |r| w.read(idx, r, project, progress))),
            }
        }
        Source::Range { start, end } => {
            let path = file.path.as_ref().expect("a range has a path");
            File::open(path).and_then(|mut f| {
                f.seek(SeekFrom::Start(*start))?;
                w.read(idx, f.take(end - start), project, progress)
            })
        }
        Source::Document => {
            let path = file.path.as_ref().expect("a document has a path");
            File::open(path).and_then(|f| {
                let cap = w.max_document();
                let mut text = Vec::new();
                Counting { inner: f, progress }
                    .take(cap + 1)
                    .read_to_end(&mut text)?;
                if text.len() as u64 > cap {
                    return Err(io::Error::other(format!(
                        "a JSON document larger than {cap} bytes (the line cap), skipped"
                    )));
                }
                w.document(idx, &text, project);
                Ok(0)
            })
        }
        Source::Whole => {
            let path = file.path.as_ref().expect("a whole file has a path");
            File::open(path).and_then(|mut f| {
                let mut head = [0u8; 8];
                let n = f.read(&mut head)?;
                f.seek(SeekFrom::Start(0))?;
                let comp = sniff(&head[..n], path).map_err(io::Error::other)?;
                match comp {
                    Compression::None => w.read(idx, f, project, progress),
                    Compression::Gzip => {
                        let counted = io::BufReader::with_capacity(
                            256 << 10,
                            Counting { inner: f, progress },
                        );
                        let dec = flate2::bufread::MultiGzDecoder::new(counted);
                        pipelined(dec, |r| w.read(idx, r, project, &no_progress))
                    }
                    Compression::Zstd => {
                        let counted = Counting { inner: f, progress };
                        let dec = zstd::Decoder::new(counted)?;
                        pipelined(dec, |r| w.read(idx, r, project, &no_progress))
                    }
                }
            })
        }
    };
    result.map(|_| ()).map_err(|e| {
        let lines = w.agg.item_lines.get(&idx).copied().unwrap_or(0);
        if lines > 0 {
            format!("read error after line {lines}: {e}")
        } else {
            format!("cannot read: {e}")
        }
    })
}
