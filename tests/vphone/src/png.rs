//! A tiny PNG encoder for `screencap -p`: a valid, correctly sized, single-colour screenshot that
//! names what it shows in a `tEXt` chunk (`Description`), so tests can tell one screen from another
//! (and people, on the dashboard's wall: each screen has its own colour).
//! Palette image whose pixel data is all zero bytes, deflated with fixed-Huffman runs (a few KiB).

/// A dark colour of its own for each screen description.
fn screen_colour(description: &str) -> [u8; 3] {
    let hash = crc32(description.as_bytes());
    let [r, g, b, _] = hash.to_le_bytes();
    [0x10 + r % 0x60, 0x10 + g % 0x60, 0x20 + b % 0x60]
}

/// A PNG of `width`×`height` pixels in one colour, described as `description` (Latin-1 text).
pub fn solid_png(width: u32, height: u32, description: &str) -> Vec<u8> {
    let row = 1 + width.div_ceil(8) as usize; // filter byte + 1-bit palette indices
    let raw_len = row * height as usize;
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[1, 3, 0, 0, 0]); // depth 1, palette, deflate, no filter, no interlace
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"PLTE", &screen_colour(description));
    let mut text = b"Description\0".to_vec();
    text.extend(description.chars().map(|c| u8::try_from(c).unwrap_or(b'?')));
    chunk(&mut png, b"tEXt", &text);
    chunk(&mut png, b"IDAT", &zlib_zeros(raw_len));
    chunk(&mut png, b"IEND", &[]);
    png
}

fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    png.extend_from_slice(&u32::try_from(data.len()).unwrap_or(u32::MAX).to_be_bytes());
    let start = png.len();
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let crc = crc32(&png[start..]);
    png.extend_from_slice(&crc.to_be_bytes());
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// LSB-first bit writer, as deflate wants.
#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    acc: u32,
    used: u32,
}

impl Bits {
    fn put(&mut self, value: u32, count: u32) {
        for i in 0..count {
            self.acc |= ((value >> i) & 1) << self.used;
            self.used += 1;
            if self.used == 8 {
                self.out.push(self.acc as u8);
                self.acc = 0;
                self.used = 0;
            }
        }
    }

    /// Huffman codes go most significant bit first.
    fn put_code(&mut self, code: u32, count: u32) {
        let reversed = code.reverse_bits() >> (32 - count);
        self.put(reversed, count);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.used > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// A zlib stream of `len` zero bytes: one literal, then (length 258, distance 1) copies, then literals.
fn zlib_zeros(len: usize) -> Vec<u8> {
    let mut bits = Bits::default();
    bits.put(1, 1); // final block
    bits.put(1, 2); // fixed Huffman
    let literal_zero = |bits: &mut Bits| bits.put_code(0x30, 8);
    let mut left = len;
    if left > 0 {
        literal_zero(&mut bits);
        left -= 1;
    }
    while left >= 258 {
        bits.put_code(0xc5, 8); // length code 285 = 258
        bits.put_code(0, 5); // distance code 0 = 1
        left -= 258;
    }
    for _ in 0..left {
        literal_zero(&mut bits);
    }
    bits.put_code(0, 7); // end of block
    let mut out = vec![0x78, 0x01];
    out.extend(bits.finish());
    // Adler-32 of zeros: `a` stays 1 and `b` gains 1 per byte.
    let adler = ((len % 65_521) as u32) << 16 | 1;
    out.extend_from_slice(&adler.to_be_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_has_signature_and_dimensions() {
        let png = solid_png(1080, 2400, "feed");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&png[12..16], b"IHDR");
        assert_eq!(&png[16..20], &1080u32.to_be_bytes());
        assert_eq!(&png[20..24], &2400u32.to_be_bytes());
        assert!(png.len() < 64 * 1024, "{} bytes", png.len());
    }

    #[test]
    fn crc_matches_the_known_value() {
        assert_eq!(crc32(b"IEND"), 0xae42_6082);
    }
}
