//! The screen: its size as apps see it (`wm size`) and a PNG of what it shows (`screencap -p`).

use crate::adb::{AdbError, Device};

impl Device {
    /// The screen size apps see, `(width, height)` in pixels: `wm size`'s "Override size" when one
    /// is set, else its "Physical size".
    ///
    /// Errors: [`AdbError::Protocol`] when `wm size` prints neither.
    pub async fn screen_size(&self) -> Result<(u32, u32), AdbError> {
        let out = self.run("wm size").await?.stdout_text();
        parse_wm_size(&out)
            .ok_or_else(|| AdbError::Protocol(format!("unexpected `wm size` output: {out:?}")))
    }

    /// PNG bytes of the current screen (`exec:screencap -p`, binary-safe).
    pub async fn screenshot(&self) -> Result<Vec<u8>, AdbError> {
        let png = self.exec("screencap -p").await?;
        if !png.starts_with(b"\x89PNG") {
            let said = String::from_utf8_lossy(&png[..png.len().min(200)]).into_owned();
            return Err(AdbError::Failed(format!(
                "screencap returned no PNG: {}",
                said.trim()
            )));
        }
        Ok(png)
    }
}

/// The last `size: WxH` line of `wm size` (the override follows the physical size).
fn parse_wm_size(out: &str) -> Option<(u32, u32)> {
    out.lines()
        .filter_map(|l| l.split_once("size:").map(|(_, v)| v.trim()))
        .filter_map(|v| v.split_once('x'))
        .rev()
        .find_map(|(w, h)| Some((w.trim().parse().ok()?, h.trim().parse().ok()?)))
}

#[cfg(test)]
mod tests {
    use super::parse_wm_size;

    #[test]
    fn the_override_size_wins_over_the_physical_one() {
        assert_eq!(
            parse_wm_size("Physical size: 1440x3200\nOverride size: 1080x2400\n"),
            Some((1080, 2400))
        );
        assert_eq!(
            parse_wm_size("Physical size: 720x1600\r\n"),
            Some((720, 1600))
        );
        assert_eq!(parse_wm_size("nothing"), None);
    }
}
