//! The adb server's device list (`host:devices-l`, `host:track-devices-l`): one line per phone with
//! its serial, its state and `key:value` properties, parsed into [`DeviceInfo`] whatever the line's shape.

use std::fmt;
use std::net::SocketAddr;

use tokio::io::BufReader;
use tokio::net::TcpStream;

use super::AdbError;
use super::wire::{parse_hex4, read_exact_or_eof, read_string};

/// The placeholder the adb server lists for a phone with an empty serial (`transport.cpp`).
pub const NO_SERIAL: &str = "(no serial number)";

/// A phone's connection state as the adb server names it (`adb/transport.cpp`, `to_string`).
///
/// Only [`DeviceState::Device`] takes commands. Serialised as the server's own words, so a state
/// this client does not know is shown verbatim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeviceState {
    /// Online: commands run.
    Device,
    /// Known but not answering (a USB blip, a network phone gone, adbd restarting).
    Offline,
    /// Waiting for the user to accept this computer's RSA key on the phone.
    Unauthorized,
    /// The key exchange is under way.
    Authorizing,
    /// A network phone whose connection is being set up.
    Connecting,
    /// The server may not open the USB device; the text is the server's whole explanation.
    NoPermissions(String),
    /// Booted into recovery.
    Recovery,
    /// In recovery's sideload mode.
    Sideload,
    /// In the bootloader (fastboot).
    Bootloader,
    /// In rescue mode.
    Rescue,
    /// Any other state, verbatim (`host`, `detached`, a newer server's word).
    Other(String),
}

impl DeviceState {
    /// Parses the server's state words.
    pub fn parse(words: &str) -> DeviceState {
        match words {
            "device" => DeviceState::Device,
            "offline" => DeviceState::Offline,
            "unauthorized" => DeviceState::Unauthorized,
            "authorizing" => DeviceState::Authorizing,
            "connecting" => DeviceState::Connecting,
            "recovery" => DeviceState::Recovery,
            "sideload" => DeviceState::Sideload,
            "bootloader" => DeviceState::Bootloader,
            "rescue" => DeviceState::Rescue,
            other if other.starts_with("no permissions") => {
                DeviceState::NoPermissions(other.to_owned())
            }
            other => DeviceState::Other(other.to_owned()),
        }
    }

    /// The server's words for the state.
    pub fn as_str(&self) -> &str {
        match self {
            DeviceState::Device => "device",
            DeviceState::Offline => "offline",
            DeviceState::Unauthorized => "unauthorized",
            DeviceState::Authorizing => "authorizing",
            DeviceState::Connecting => "connecting",
            DeviceState::Recovery => "recovery",
            DeviceState::Sideload => "sideload",
            DeviceState::Bootloader => "bootloader",
            DeviceState::Rescue => "rescue",
            DeviceState::NoPermissions(text) | DeviceState::Other(text) => text,
        }
    }

    /// Whether the phone takes commands now.
    pub fn is_online(&self) -> bool {
        *self == DeviceState::Device
    }

    /// What the operator can do about a state that keeps the phone from working, if anything.
    pub fn remedy(&self) -> Option<&'static str> {
        match self {
            DeviceState::Unauthorized => Some(
                "accept the \"Allow USB debugging?\" prompt on the phone (tick \"Always allow from this computer\")",
            ),
            DeviceState::NoPermissions(_) => Some(
                "the adb server may not open the USB device: install udev rules for Android phones (Debian: apt-get install android-sdk-platform-tools-common) and replug it",
            ),
            DeviceState::Offline => Some(
                "adb lost the phone: replug it, or for a network phone `adb connect` it again; tasks wait for it",
            ),
            DeviceState::Recovery
            | DeviceState::Sideload
            | DeviceState::Bootloader
            | DeviceState::Rescue => {
                Some("the phone is not booted into Android: reboot it normally")
            }
            _ => None,
        }
    }
}

impl fmt::Display for DeviceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for DeviceState {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One device as the server lists it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DeviceInfo {
    /// Serial; `host:port` for a phone connected over TCP; [`NO_SERIAL`] when the phone has none.
    pub serial: String,
    /// The connection state.
    pub state: DeviceState,
    /// `ro.product.model`, when the device reported it.
    pub model: Option<String>,
    /// `ro.product.name`, when the device reported it.
    pub product: Option<String>,
    /// `ro.product.device`, when the device reported it.
    pub device: Option<String>,
    /// The USB port path (`usb:1-1.4.2`), stable while the phone stays plugged in that port.
    pub usb: Option<String>,
    /// The server's transport id for the device; it changes when the phone reconnects.
    pub transport_id: Option<u64>,
}

impl DeviceInfo {
    /// Whether the phone takes commands now.
    pub fn is_online(&self) -> bool {
        self.state.is_online()
    }
}

/// Parses the body of `host:devices-l` / `host:track-devices-l`, one device per non-empty line.
pub(super) fn parse_device_list(body: &str) -> Vec<DeviceInfo> {
    body.lines().filter_map(parse_device_line).collect()
}

/// Parses `SERIAL<spaces or TAB>STATE [usb:..] product:x model:Y device:z transport_id:N`.
///
/// The serial is the first word, or the three-word [`NO_SERIAL`] placeholder. The state may hold
/// spaces (`no permissions (...); see [...]`); it ends at the first `key:value` word.
pub(super) fn parse_device_line(line: &str) -> Option<DeviceInfo> {
    let line = line.trim_start();
    let (serial, rest) = match line.strip_prefix(NO_SERIAL) {
        Some(rest) => (NO_SERIAL, rest),
        None => line.split_once(char::is_whitespace).unwrap_or((line, "")),
    };
    if serial.is_empty() {
        return None;
    }
    let mut info = DeviceInfo {
        serial: serial.to_owned(),
        state: DeviceState::Other(String::new()),
        model: None,
        product: None,
        device: None,
        usb: None,
        transport_id: None,
    };
    let mut state = String::new();
    let mut in_state = true;
    for word in rest.split_whitespace() {
        let pair = word.split_once(':').filter(|(key, _)| {
            !key.is_empty() && key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        });
        match pair {
            Some((key, value)) => {
                in_state = false;
                match key {
                    "model" => info.model = Some(value.to_owned()),
                    "product" => info.product = Some(value.to_owned()),
                    "device" => info.device = Some(value.to_owned()),
                    "usb" => info.usb = Some(value.to_owned()),
                    "transport_id" => info.transport_id = value.parse().ok(),
                    _ => {}
                }
            }
            None if in_state => {
                if !state.is_empty() {
                    state.push(' ');
                }
                state.push_str(word);
            }
            None => {}
        }
    }
    info.state = DeviceState::parse(&state);
    Some(info)
}

/// Live device lists from `host:track-devices-l`.
#[derive(Debug)]
pub struct DeviceStream {
    pub(super) stream: BufReader<TcpStream>,
    pub(super) addr: SocketAddr,
}

impl DeviceStream {
    /// Waits for the next full device list; `None` when the server closed the stream.
    pub async fn next(&mut self) -> Result<Option<Vec<DeviceInfo>>, AdbError> {
        let mut len = [0u8; 4];
        match read_exact_or_eof(&mut self.stream, &mut len).await {
            Ok(false) => return Ok(None),
            Ok(true) => {}
            Err(source) => {
                return Err(AdbError::ServerUnavailable {
                    addr: self.addr,
                    source,
                });
            }
        }
        let body = async {
            let len = parse_hex4(&len)?;
            read_string(&mut self.stream, len).await
        };
        let body = body.await.map_err(|e| e.on_server(self.addr))?;
        Ok(Some(parse_device_list(&body)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_line_with_all_properties_is_parsed() {
        let line = "127.0.0.1:5555         device product:sdk_phone model:Pixel_7 device:panther transport_id:4";
        assert_eq!(
            parse_device_line(line),
            Some(DeviceInfo {
                serial: "127.0.0.1:5555".into(),
                state: DeviceState::Device,
                model: Some("Pixel_7".into()),
                product: Some("sdk_phone".into()),
                device: Some("panther".into()),
                usb: None,
                transport_id: Some(4),
            })
        );
    }

    #[test]
    fn device_line_with_usb_path_and_offline_state_is_parsed() {
        let info = parse_device_line("R58M123ABC             offline usb:1-1.2 transport_id:7")
            .expect("a device");
        assert_eq!(info.state, DeviceState::Offline);
        assert_eq!(info.usb.as_deref(), Some("1-1.2"));
        assert_eq!(info.model, None);
        assert_eq!(info.transport_id, Some(7));
    }

    #[test]
    fn no_permissions_state_keeps_its_spaces() {
        let line = "0123456789ABCDEF       no permissions (user in plugdev group; are your udev rules wrong?); see [http://developer.android.com/tools/device.html] usb:1-1 transport_id:2";
        let info = parse_device_line(line).expect("a device");
        assert_eq!(info.serial, "0123456789ABCDEF");
        let DeviceState::NoPermissions(text) = &info.state else {
            panic!("{:?}", info.state)
        };
        assert!(
            text.starts_with("no permissions (user in plugdev group;"),
            "{text}"
        );
        assert!(text.ends_with("device.html]"), "{text}");
        assert_eq!(info.transport_id, Some(2));
        assert!(info.state.remedy().is_some());
    }

    #[test]
    fn a_phone_without_serial_keeps_the_placeholder() {
        let info = parse_device_line(
            "(no serial number)     device usb:2-1.2.5 product:cm_w7 model:LG_D415 device:w7 transport_id:3",
        )
        .expect("a device");
        assert_eq!(info.serial, NO_SERIAL);
        assert_eq!(info.state, DeviceState::Device);
        assert_eq!(info.model.as_deref(), Some("LG_D415"));
        assert_eq!(info.transport_id, Some(3));
    }

    #[test]
    fn the_short_listing_separates_serial_and_state_with_a_tab() {
        let info = parse_device_line("emulator-5554\tunauthorized").expect("a device");
        assert_eq!(info.serial, "emulator-5554");
        assert_eq!(info.state, DeviceState::Unauthorized);
    }

    #[test]
    fn every_state_of_a_mixed_list_is_kept() {
        let body = "04032ab809ef3131       offline usb:3-4 transport_id:9\n\
            0123456789ABCDEF       no permissions (missing udev rules? user is in the plugdev group); see [http://developer.android.com/tools/device.html] usb:1-1 transport_id:2\n\
            emulator-5554          unauthorized transport_id:4\n\
            R58M00000A             recovery usb:1-3 product:beyond1 model:SM_G973F device:beyond1 transport_id:10\n\
            R58M00000B             sideload usb:1-4 transport_id:11\n\
            192.168.1.5:5555       authorizing transport_id:12\n\
            192.168.1.6:5555       connecting transport_id:13\n\
            R58M00000C             device usb:1-5 product:beyond1 model:SM_G973F device:beyond1 transport_id:14\n";
        let devices = parse_device_list(body);
        assert_eq!(devices.len(), 8);
        let online: Vec<&str> = devices
            .iter()
            .filter(|d| d.is_online())
            .map(|d| d.serial.as_str())
            .collect();
        assert_eq!(online, ["R58M00000C"]);
        let states: Vec<&str> = devices.iter().map(|d| d.state.as_str()).collect();
        assert_eq!(
            &states[..3],
            [
                "offline",
                "no permissions (missing udev rules? user is in the plugdev group); see [http://developer.android.com/tools/device.html]",
                "unauthorized"
            ]
        );
        assert_eq!(
            &states[3..],
            [
                "recovery",
                "sideload",
                "authorizing",
                "connecting",
                "device"
            ]
        );
    }

    #[test]
    fn empty_device_list_has_no_devices() {
        assert!(parse_device_list("").is_empty());
        assert!(parse_device_list("\n").is_empty());
    }
}
