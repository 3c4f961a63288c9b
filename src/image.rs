//! Image sizes and the providers' published image token formulas, for counting image parts of a
//! chat request. No image decoding: the width and height are read from the file header (PNG,
//! JPEG, GIF, WebP) of a local file or a `data:` URL. Every image count is an approximation
//! (the formulas are published, but the providers do not promise them), and callers label it so.

/// Width and height of an image, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub width: u64,
    pub height: u64,
}

/// The width and height from the header of a PNG, JPEG, GIF or WebP file. `None` for another
/// format or a truncated header.
pub fn dimensions(bytes: &[u8]) -> Option<Size> {
    let size = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        // IHDR is the first chunk: width and height are big-endian u32 at 16 and 20.
        Size {
            width: be32(bytes.get(16..20)?),
            height: be32(bytes.get(20..24)?),
        }
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Size {
            width: le16(bytes.get(6..8)?),
            height: le16(bytes.get(8..10)?),
        }
    } else if bytes.starts_with(&[0xff, 0xd8]) {
        jpeg(bytes)?
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        webp(bytes)?
    } else {
        return None;
    };
    (size.width > 0 && size.height > 0).then_some(size)
}

fn be32(b: &[u8]) -> u64 {
    b.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x))
}
fn be16(b: &[u8]) -> u64 {
    be32(b)
}
fn le16(b: &[u8]) -> u64 {
    b.iter()
        .rev()
        .fold(0u64, |acc, &x| (acc << 8) | u64::from(x))
}

/// Walk JPEG segments to the first start-of-frame marker (SOF0..SOF15 except DHT, JPG, DAC).
fn jpeg(bytes: &[u8]) -> Option<Size> {
    let mut i = 2;
    loop {
        // Skip fill bytes before a marker.
        while *bytes.get(i)? == 0xff && *bytes.get(i + 1)? == 0xff {
            i += 1;
        }
        if *bytes.get(i)? != 0xff {
            return None;
        }
        let marker = *bytes.get(i + 1)?;
        if matches!(marker, 0xd8 | 0x01 | 0xd0..=0xd7) {
            i += 2;
            continue;
        }
        let len = be16(bytes.get(i + 2..i + 4)?) as usize;
        if matches!(marker, 0xc0..=0xcf) && !matches!(marker, 0xc4 | 0xc8 | 0xcc) {
            let height = be16(bytes.get(i + 5..i + 7)?);
            let width = be16(bytes.get(i + 7..i + 9)?);
            return Some(Size { width, height });
        }
        if len < 2 {
            return None;
        }
        i += 2 + len;
    }
}

fn webp(bytes: &[u8]) -> Option<Size> {
    match bytes.get(12..16)? {
        b"VP8 " => {
            // Lossy: 14-bit width and height after the frame tag and start code.
            let w = le16(bytes.get(26..28)?) & 0x3fff;
            let h = le16(bytes.get(28..30)?) & 0x3fff;
            Some(Size {
                width: w,
                height: h,
            })
        }
        b"VP8L" => {
            let b = bytes.get(21..25)?;
            let bits = u64::from(b[0])
                | (u64::from(b[1]) << 8)
                | (u64::from(b[2]) << 16)
                | (u64::from(b[3]) << 24);
            Some(Size {
                width: (bits & 0x3fff) + 1,
                height: ((bits >> 14) & 0x3fff) + 1,
            })
        }
        b"VP8X" => {
            let b = bytes.get(24..30)?;
            let w = u64::from(b[0]) | (u64::from(b[1]) << 8) | (u64::from(b[2]) << 16);
            let h = u64::from(b[3]) | (u64::from(b[4]) << 8) | (u64::from(b[5]) << 16);
            Some(Size {
                width: w + 1,
                height: h + 1,
            })
        }
        _ => None,
    }
}

/// The bytes of a `data:` URL (`data:image/png;base64,...`). `None` when `url` is not a
/// base64 data URL or its payload is not valid base64.
pub fn data_url_bytes(url: &str) -> Option<Vec<u8>> {
    let rest = url.strip_prefix("data:")?;
    let (meta, payload) = rest.split_once(',')?;
    if !meta.ends_with(";base64") {
        return None;
    }
    base64_decode(payload)
}

/// Standard or URL-safe base64, padding optional, whitespace ignored.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// OpenAI's detail level of an image part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    Low,
    /// `high`, and `auto` (counted as high: the larger, safe figure).
    High,
}

/// OpenAI's published image formula (GPT-4o, GPT-4.1, GPT-4 Turbo vision): low detail costs 85
/// tokens; high detail scales the image to fit in 2048×2048, then its shortest side down to
/// 768 px, and costs 170 per 512-px tile plus 85.
pub fn openai_tokens(size: Size, detail: Detail) -> u64 {
    if detail == Detail::Low {
        return 85;
    }
    let (mut w, mut h) = (size.width as f64, size.height as f64);
    if w > 2048.0 || h > 2048.0 {
        let s = 2048.0 / w.max(h);
        w *= s;
        h *= s;
    }
    if w.min(h) > 768.0 {
        let s = 768.0 / w.min(h);
        w *= s;
        h *= s;
    }
    let tiles = (w / 512.0).ceil() as u64 * (h / 512.0).ceil() as u64;
    170 * tiles + 85
}

/// Anthropic's published image formula: an image whose long edge exceeds 1568 px is scaled
/// down to it, then costs width × height / 750 tokens, at most about 1,600.
pub fn anthropic_tokens(size: Size) -> u64 {
    let (mut w, mut h) = (size.width as f64, size.height as f64);
    if w.max(h) > 1568.0 {
        let s = 1568.0 / w.max(h);
        w *= s;
        h *= s;
    }
    ((w * h / 750.0).ceil() as u64).min(1600)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        b.extend_from_slice(&w.to_be_bytes());
        b.extend_from_slice(&h.to_be_bytes());
        b
    }

    #[test]
    fn reads_headers() {
        let s = |width, height| Some(Size { width, height });
        assert_eq!(dimensions(&png(1024, 768)), s(1024, 768));
        assert_eq!(dimensions(b"GIF89a\x20\x03\x58\x02"), s(800, 600));
        let jpeg = [
            0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 11, 8, 0x01, 0xe0, 0x02, 0x80,
        ];
        assert_eq!(dimensions(&jpeg), s(640, 480));
        let mut webp = b"RIFF\0\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
        webp.extend_from_slice(&[0x1f, 0x03, 0, 0x57, 0x02, 0]);
        assert_eq!(dimensions(&webp), s(800, 600));
        assert_eq!(dimensions(b"not an image"), None);
        assert_eq!(dimensions(&png(1, 1)[..20]), None);
    }

    #[test]
    fn decodes_data_urls() {
        assert_eq!(
            data_url_bytes("data:text/plain;base64,aGk="),
            Some(b"hi".to_vec())
        );
        assert_eq!(data_url_bytes("data:text/plain,hi"), None);
        assert_eq!(base64_decode("aGVsbG8"), Some(b"hello".to_vec()));
        assert_eq!(base64_decode("a*b"), None);
    }

    #[test]
    fn openai_formula_matches_the_published_examples() {
        let s = |width, height| Size { width, height };
        // OpenAI's examples: 1024×1024 high → 765; 2048×4096 high → 1105; low → 85.
        assert_eq!(openai_tokens(s(1024, 1024), Detail::High), 765);
        assert_eq!(openai_tokens(s(2048, 4096), Detail::High), 1105);
        assert_eq!(openai_tokens(s(4096, 8192), Detail::Low), 85);
        assert_eq!(openai_tokens(s(100, 100), Detail::High), 255);
    }

    #[test]
    fn anthropic_formula() {
        let s = |width, height| Size { width, height };
        assert_eq!(anthropic_tokens(s(1000, 1000)), 1334);
        assert_eq!(anthropic_tokens(s(200, 200)), 54);
        assert_eq!(anthropic_tokens(s(4000, 4000)), 1600);
    }
}
