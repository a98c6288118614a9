//! The fleet's phones as the host knows them: adb's device table made trustworthy. Each phone has a
//! name (its serial, or `SERIAL@usb:PATH` when factories gave several phones one serial, field case
//! 08), one adb handle per connection (features learnt once, commands remembered for forensics), its
//! handset identity (two transports of one handset are one phone, case 07), and its readiness.
//! Network phones that were ever online are connected again when adb loses them (case 09).

mod readiness;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use phonefleet_device::adb::{AdbServer, Device, DeviceInfo, DeviceState, NO_SERIAL};
use tokio::sync::watch;

pub use readiness::{NotReady, Readiness};

/// How often a new phone is asked who it is before it is known by its name only.
const IDENTIFY_ATTEMPTS: u32 = 3;
const IDENTIFY_RETRY: Duration = Duration::from_millis(500);
/// First and longest pause between two attempts to connect a lost network phone again.
const RECONNECT_MIN: Duration = Duration::from_millis(500);
const RECONNECT_MAX: Duration = Duration::from_secs(8);

/// One phone as the host lists it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Phone {
    /// How tasks and the API name the phone: its adb serial, or `SERIAL@usb:PATH` (else
    /// `SERIAL@transport:N`) when several phones report the same serial.
    pub name: String,
    /// The serial adb lists.
    pub serial: String,
    /// adb's state for it.
    pub state: DeviceState,
    pub model: Option<String>,
    pub usb: Option<String>,
    pub transport_id: Option<u64>,
    /// The handset's own identity once learnt (`ro.serialno`, else `android_id`; the name when
    /// the phone never said): transports of one handset share it, and a handset runs one task at
    /// a time. Tasks start on a phone only once this is known.
    pub handset: Option<String>,
    /// What stands in the way, in words, when something does (adb's remedy for the state, a
    /// shared serial, a handset listed twice).
    pub note: Option<String>,
}

impl Phone {
    /// Whether it takes commands now.
    pub fn is_online(&self) -> bool {
        self.state.is_online()
    }

    /// Whether adb reaches it over the network (`host:port`), so adb can lose it and be told to
    /// connect again.
    pub fn is_network(&self) -> bool {
        self.serial
            .rsplit_once(':')
            .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok())
    }
}

/// What the host keeps per phone name.
struct Entry {
    device: Device,
    transport_id: Option<u64>,
    handset: Option<String>,
    readiness: Readiness,
    /// Whether what the phone is (Android version, screen, keyboard) was learnt on this connection.
    described: bool,
    /// A task is learning its handset and what it is now.
    identifying: bool,
    /// Apps found installed on this connection (not asked again until it reconnects).
    apps: HashSet<String>,
}

/// The phone table and its handles. Cheap to share (`Arc`).
pub struct Phones {
    /// The adb servers the host speaks to; each phone is reached through the one that lists it.
    adbs: Vec<AdbServer>,
    table: watch::Sender<Arc<Vec<Phone>>>,
    entries: Mutex<HashMap<String, Entry>>,
    /// Network serials ever seen online, and the server that listed them, to connect again when
    /// that server loses them.
    network: Mutex<BTreeMap<String, usize>>,
    /// The latest raw list from each adb server, in the order of `adbs`.
    raw: Mutex<Vec<Arc<Vec<DeviceInfo>>>>,
}

impl Phones {
    /// Keeps one phone table in step with the device lists of several adb servers, each given with
    /// the watch of its list. One adb server holds only so many phones (Debian's 1.0.41 aborts past
    /// 1,024 file descriptors, about 965 network phones: BENCHMARKS.md, figure 5).
    pub fn spawn(sources: Vec<(AdbServer, watch::Receiver<Arc<Vec<DeviceInfo>>>)>) -> Arc<Phones> {
        let (adbs, lists): (Vec<AdbServer>, Vec<_>) = sources.into_iter().unzip();
        let phones = Arc::new(Phones {
            raw: Mutex::new(vec![Arc::default(); adbs.len()]),
            adbs,
            table: watch::channel(Arc::new(Vec::new())).0,
            entries: Mutex::default(),
            network: Mutex::default(),
        });
        for (source, mut raw) in lists.into_iter().enumerate() {
            // The table is whole from the start; later lists arrive through the watch.
            phones.take_list(source, raw.borrow_and_update().clone());
            let weak = Arc::downgrade(&phones);
            tokio::spawn(async move {
                while raw.changed().await.is_ok() {
                    let list = raw.borrow_and_update().clone();
                    let Some(phones) = weak.upgrade() else { return };
                    phones.take_list(source, list);
                }
            });
        }
        tokio::spawn(reconnect_lost(Arc::downgrade(&phones)));
        phones
    }

    /// The adb server with the fewest phones listed: where a new network phone is connected.
    pub fn least_loaded_adb(&self) -> AdbServer {
        let raw = self.raw.lock().unwrap_or_else(|p| p.into_inner());
        let source = (0..self.adbs.len())
            .min_by_key(|i| raw.get(*i).map_or(0, |l| l.len()))
            .unwrap_or(0);
        self.adbs[source].clone()
    }

    /// Records adb server `source`'s new list and rebuilds the table.
    fn take_list(self: &Arc<Self>, source: usize, list: Arc<Vec<DeviceInfo>>) {
        if let Some(slot) = self
            .raw
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_mut(source)
        {
            *slot = list;
        }
        self.update();
    }

    /// A receiver that sees every change of the table.
    pub fn subscribe(&self) -> watch::Receiver<Arc<Vec<Phone>>> {
        self.table.subscribe()
    }

    /// The table as it is now.
    pub fn current(&self) -> Arc<Vec<Phone>> {
        self.table.borrow().clone()
    }

    /// The adb handle of the phone named `name` (its clones share what was learnt of the phone).
    pub fn device(&self, name: &str) -> Option<Device> {
        self.entries().get(name).map(|e| e.device.clone())
    }

    /// What the host last saw of the phone's fitness for tasks.
    pub fn readiness(&self, name: &str) -> Option<Readiness> {
        self.entries().get(name).map(|e| e.readiness.clone())
    }

    /// Whether adb lists `name` online right now (asked afresh: the tracking stream can lag a
    /// dead network phone by tens of seconds).
    pub async fn confirm_online(&self, names: &[String]) -> Result<Vec<String>, NotReady> {
        // One server that does not answer keeps its phones unconfirmed, not every server's.
        let answers = futures::future::join_all(self.adbs.iter().map(AdbServer::devices)).await;
        let mut list: Vec<DeviceInfo> = Vec::new();
        let mut failed = None;
        for answer in answers {
            match answer {
                Ok(devices) => list.extend(devices),
                Err(e) => failed = Some(e),
            }
        }
        if let Some(e) = failed.filter(|_| list.is_empty()) {
            return Err(e.into());
        }
        let table = named(&list);
        Ok(names
            .iter()
            .filter(|n| table.iter().any(|p| &p.name == *n && p.is_online()))
            .cloned()
            .collect())
    }

    /// Makes the phone ready for a task (see [`readiness`]), checking that `app` is installed when
    /// given, and records what it saw.
    pub async fn prepare(&self, name: &str, app: Option<&str>) -> Result<(), NotReady> {
        let Some((device, mut state, described, mut apps)) = self.entries().get(name).map(|e| {
            (
                e.device.clone(),
                e.readiness.clone(),
                e.described,
                e.apps.clone(),
            )
        }) else {
            return Err(NotReady::Offline(format!(
                "device offline: {name} is not connected"
            )));
        };
        if !described {
            readiness::describe(&device, &mut state).await;
        }
        let prepared = readiness::prepare(&device, app, &mut apps, &mut state).await;
        if let Some(entry) = self.entries().get_mut(name) {
            entry.readiness = state;
            entry.described = true;
            entry.apps = apps;
        }
        prepared
    }

    fn entries(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Builds the table from the adb servers' latest lists: names phones, keeps one handle per
    /// connection (a new transport id is a reconnection: features and readiness are learnt again),
    /// learns new handsets.
    fn update(self: &Arc<Self>) {
        let lists = self.raw.lock().unwrap_or_else(|p| p.into_inner()).clone();
        // Which server lists each connection, by (serial, transport id).
        let source_of = |phone: &Phone| {
            lists
                .iter()
                .position(|l| {
                    l.iter()
                        .any(|d| d.serial == phone.serial && d.transport_id == phone.transport_id)
                })
                .unwrap_or(0)
        };
        let list: Vec<DeviceInfo> = lists.iter().flat_map(|l| l.iter().cloned()).collect();
        let mut phones = named(&list);
        let mut to_identify = Vec::new();
        {
            let mut entries = self.entries();
            entries.retain(|name, _| phones.iter().any(|p| &p.name == name));
            for phone in &mut phones {
                let shared = serial_ambiguous(&list, &phone.serial);
                let source = source_of(phone);
                let entry = entries.entry(phone.name.clone()).or_insert_with(|| Entry {
                    device: self.handle(source, phone, shared),
                    transport_id: phone.transport_id,
                    handset: None,
                    readiness: Readiness::default(),
                    described: false,
                    identifying: false,
                    apps: HashSet::new(),
                });
                if entry.transport_id != phone.transport_id {
                    // The phone connected again: what was learnt of it may have changed.
                    entry.device = self.handle(source, phone, shared);
                    entry.transport_id = phone.transport_id;
                    entry.readiness = Readiness::default();
                    entry.described = false;
                    entry.apps.clear();
                }
                phone.handset = entry.handset.clone();
                if phone.is_online() && entry.handset.is_none() && !entry.identifying {
                    entry.identifying = true;
                    to_identify.push((phone.name.clone(), entry.device.clone()));
                }
                if phone.is_online() && phone.is_network() {
                    self.network
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(phone.serial.clone(), source);
                }
            }
        }
        self.publish(phones);
        for (name, device) in to_identify {
            let phones = Arc::downgrade(self);
            tokio::spawn(async move {
                let handset = identify(&device).await.unwrap_or_else(|| name.clone());
                let mut described = Readiness::default();
                readiness::describe(&device, &mut described).await;
                if let Some(phones) = phones.upgrade() {
                    if let Some(entry) = phones.entries().get_mut(&name) {
                        entry.handset = Some(handset);
                        entry.identifying = false;
                        if !entry.described {
                            entry.readiness = described;
                            entry.described = true;
                        }
                    }
                    // The table is built in one place: from the latest lists adb gave.
                    phones.update();
                }
            });
        }
    }

    /// Notes handsets listed twice and publishes the table when it changed.
    fn publish(&self, mut phones: Vec<Phone>) {
        let mut seen: HashMap<String, String> = HashMap::new();
        for phone in &mut phones {
            if let Some(handset) = &phone.handset
                && phone.is_online()
            {
                match seen.get(handset) {
                    Some(first) => {
                        phone.note = Some(format!(
                            "the same handset as {first} (listed twice, e.g. by USB and over the network): \
                             one task at a time runs on both"
                        ))
                    }
                    None => {
                        seen.insert(handset.clone(), phone.name.clone());
                    }
                }
            }
        }
        self.table.send_if_modified(|table| {
            if **table == phones {
                false
            } else {
                *table = Arc::new(phones);
                true
            }
        });
    }

    /// An adb handle for the phone through adb server `source`: by serial, or by transport id when
    /// its serial is shared.
    fn handle(&self, source: usize, phone: &Phone, serial_shared: bool) -> Device {
        let adb = &self.adbs[source.min(self.adbs.len() - 1)];
        match (serial_shared, phone.transport_id) {
            (true, Some(id)) => adb.device_by_transport(&phone.serial, id),
            _ => adb.device(&phone.serial),
        }
    }
}

/// The handset's identity, asked a few times (a phone that just came online can be slow to
/// answer); `None` when it never answered.
async fn identify(device: &Device) -> Option<String> {
    for attempt in 1..=IDENTIFY_ATTEMPTS {
        match device.hardware_id().await {
            Ok(handset) => return Some(handset),
            Err(e) if attempt == IDENTIFY_ATTEMPTS => {
                tracing::warn!(
                    phone = device.serial(),
                    "cannot learn which handset this is ({e}); it is told apart by its name only"
                );
            }
            Err(_) => tokio::time::sleep(IDENTIFY_RETRY).await,
        }
    }
    None
}

/// How many listed phones report `serial`.
fn phones_sharing_serial(list: &[DeviceInfo], serial: &str) -> usize {
    list.iter().filter(|d| d.serial == serial).count()
}

/// Whether adb cannot reach the phone by its serial: another phone reports the same one (case
/// 08), or it has none (`(no serial number)`, case 05).
fn serial_ambiguous(list: &[DeviceInfo], serial: &str) -> bool {
    serial == NO_SERIAL || phones_sharing_serial(list, serial) > 1
}

/// The table for a device list: each phone named, with adb's remedy or the shared serial noted.
fn named(list: &[DeviceInfo]) -> Vec<Phone> {
    list.iter()
        .map(|d| {
            let shared = serial_ambiguous(list, &d.serial);
            let name = match (shared, &d.usb, d.transport_id) {
                (true, Some(usb), _) => format!("{}@usb:{usb}", d.serial),
                (true, None, Some(id)) => format!("{}@transport:{id}", d.serial),
                _ => d.serial.clone(),
            };
            let note = if d.serial == NO_SERIAL {
                Some(
                    "the phone reports no serial number: told apart by its USB port; \
                     its USB connection or firmware may be faulty"
                        .to_owned(),
                )
            } else if shared {
                Some(format!(
                    "{} phones report serial {}: told apart by {}; give them distinct serials if you can",
                    phones_sharing_serial(list, &d.serial),
                    d.serial,
                    if d.usb.is_some() { "USB port" } else { "adb transport (changes on reconnect)" }
                ))
            } else {
                d.state.remedy().map(str::to_owned)
            };
            Phone {
                name,
                serial: d.serial.clone(),
                state: d.state.clone(),
                model: d.model.clone(),
                usb: d.usb.clone(),
                transport_id: d.transport_id,
                handset: None,
                note,
            }
        })
        .collect()
}

/// Connects again, with backoff, every network phone that was online once and that adb no longer
/// lists online (an adb server restarted by another tool forgets them; a phone that went away and
/// came back needs it). Sleeps while none is missing.
async fn reconnect_lost(phones: std::sync::Weak<Phones>) {
    let mut backoff = RECONNECT_MIN;
    loop {
        let Some(strong) = phones.upgrade() else {
            return;
        };
        let table = strong.current();
        let missing: Vec<(String, usize)> = strong
            .network
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|(serial, _)| !table.iter().any(|p| &p.serial == *serial && p.is_online()))
            .map(|(serial, source)| (serial.clone(), *source))
            .collect();
        let mut changed = strong.subscribe();
        if missing.is_empty() {
            drop(strong);
            backoff = RECONNECT_MIN;
            if changed.changed().await.is_err() {
                return;
            }
            continue;
        }
        for (serial, source) in &missing {
            let Some(adb) = strong.adbs.get(*source) else {
                continue;
            };
            match adb.connect(serial).await {
                Ok(said) => tracing::info!("connecting {serial} again: {said}"),
                Err(e) => tracing::debug!("cannot connect {serial} again yet: {e}"),
            }
        }
        drop(strong);
        tokio::select! {
            () = tokio::time::sleep(backoff) => backoff = (backoff * 2).min(RECONNECT_MAX),
            // The table moved (the adb server is back, say): try again soon, not at once.
            _ = changed.changed() => {
                backoff = RECONNECT_MIN;
                tokio::time::sleep(RECONNECT_MIN).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(serial: &str, usb: Option<&str>, transport: u64) -> DeviceInfo {
        DeviceInfo {
            serial: serial.into(),
            state: DeviceState::Device,
            model: None,
            product: None,
            device: None,
            usb: usb.map(str::to_owned),
            transport_id: Some(transport),
        }
    }

    #[test]
    fn phones_sharing_a_serial_are_named_by_usb_port() {
        let list = [
            device("0123456789ABCDEF", Some("1-1.4.1"), 1),
            device("0123456789ABCDEF", Some("1-1.4.2"), 2),
            device("R58M00000C", Some("1-5"), 3),
        ];
        let names: Vec<String> = named(&list).into_iter().map(|p| p.name).collect();
        assert_eq!(
            names,
            [
                "0123456789ABCDEF@usb:1-1.4.1",
                "0123456789ABCDEF@usb:1-1.4.2",
                "R58M00000C"
            ]
        );
        assert!(
            named(&list)[0]
                .note
                .as_deref()
                .is_some_and(|n| n.contains("2 phones report"))
        );
    }

    #[test]
    fn a_phone_without_a_serial_is_named_by_usb_port_and_says_so() {
        // Field case 05: `(no serial number)     device usb:2-1.2.5 … transport_id:3`.
        let phone = named(&[device(NO_SERIAL, Some("2-1.2.5"), 3)]).remove(0);
        assert_eq!(phone.name, "(no serial number)@usb:2-1.2.5");
        assert!(phone.note.is_some_and(|n| n.contains("no serial number")));
    }

    #[test]
    fn network_serials_are_host_and_port() {
        let phone = |serial: &str| named(&[device(serial, None, 1)]).remove(0);
        assert!(phone("192.168.1.5:5555").is_network());
        assert!(!phone("R58M00000C").is_network());
        assert!(!phone("adb-R3CT00000X-AbCdEf._adb-tls-connect._tcp").is_network());
    }
}
