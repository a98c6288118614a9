//! The host side of the WIT `ui` interface: selectors (`phonefleet-rules`) evaluated against one
//! parsed dump per poll. A failed or timed-out dump is transient inside a poll: it is retried until
//! the poll's own deadline and only then reported, with uiautomator's own words.

use std::time::Duration;

use phonefleet_device::android::DUMP_TIMEOUT;
use phonefleet_device::ui::{self as devui, CompiledSelector, Dump};
use tokio::time::Instant;

use super::{Bound, HostError, Phone, convert};
use crate::bindings::phonefleet::script::{types, ui};
use crate::bindings::{Bounds, DeviceError, Node, Selector};

/// Pause between two UI dumps while waiting for a selector.
const POLL_INTERVAL: Duration = Duration::from_millis(250);
/// The least time a dump inside a poll is given, however little of the poll is left.
const MIN_DUMP: Duration = Duration::from_secs(3);

/// The `ui` interface's context: the run's phone.
#[derive(Default)]
pub(crate) struct UiCtx {
    phone: Bound<Phone>,
}

impl UiCtx {
    pub fn bound(phone: Phone) -> UiCtx {
        UiCtx {
            phone: Bound::new(phone),
        }
    }

    /// One dump of the screen now, parsed, bounded by `limit`.
    async fn dump(&self, limit: Duration) -> Result<Dump, HostError> {
        let xml = self.phone.get()?.dump_xml(limit).await?;
        Dump::parse(&xml).map_err(|e| DeviceError::Failed(e.to_string()).into())
    }

    /// Dumps the screen until `check` finds something or `timeout_ms` passes (at least one dump).
    /// A failed dump counts as "not yet"; if no dump succeeded by the deadline, the last failure
    /// is the answer.
    async fn poll<T>(
        &self,
        timeout_ms: u32,
        mut check: impl FnMut(&Dump) -> Option<T> + Send,
    ) -> Result<Option<T>, HostError> {
        let deadline = Instant::now() + Duration::from_millis(timeout_ms.into());
        let mut seen_a_screen = false;
        loop {
            // A dump may use what is left of the poll, but never less than a screen needs.
            let left = deadline
                .saturating_duration_since(Instant::now())
                .max(MIN_DUMP);
            match self.dump(left).await {
                Ok(dump) => {
                    seen_a_screen = true;
                    if let Some(found) = check(&dump) {
                        return Ok(Some(found));
                    }
                }
                Err(e) if is_transient(&e) && Instant::now() < deadline => {}
                Err(e) if is_transient(&e) && seen_a_screen => return Ok(None),
                Err(e) => return Err(e),
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            tokio::time::sleep(POLL_INTERVAL.min(deadline - now)).await;
        }
    }
}

/// Whether a dump error may pass by itself: uiautomator's own failures and the dump's time limit.
fn is_transient(e: &HostError) -> bool {
    match e {
        HostError::Device(DeviceError::Timeout(_)) => true,
        HostError::Device(DeviceError::Failed(m)) => m.starts_with(phonefleet_rules::DUMP_FAILED),
        _ => false,
    }
}

fn compile(selector: Selector) -> Result<CompiledSelector, HostError> {
    let sel = devui::Selector {
        text: selector.text,
        text_contains: selector.text_contains,
        text_regex: selector.text_regex,
        resource_id: selector.resource_id,
        description: selector.description,
        description_contains: selector.description_contains,
        class_name: selector.class_name,
        clickable: selector.clickable,
        instance: selector.instance,
    };
    sel.compile()
        .map_err(|e| DeviceError::Failed(e.to_string()).into())
}

fn to_wit(node: &devui::Node) -> Node {
    let b = &node.bounds;
    Node {
        text: node.text.clone(),
        resource_id: node.resource_id.clone(),
        class_name: node.class_name.clone(),
        description: node.description.clone(),
        package: node.package.clone(),
        clickable: node.clickable,
        enabled: node.enabled,
        selected: node.selected,
        checked: node.checked,
        bounds: Bounds {
            left: b.left,
            top: b.top,
            right: b.right,
            bottom: b.bottom,
        },
    }
}

impl types::Host for UiCtx {
    fn convert_device_error(&mut self, err: HostError) -> wasmtime::Result<DeviceError> {
        convert(err)
    }
}

impl ui::Host for UiCtx {
    async fn find(&mut self, selector: Selector) -> Result<Option<Node>, HostError> {
        let sel = compile(selector)?;
        Ok(self.dump(DUMP_TIMEOUT).await?.find(&sel).map(to_wit))
    }

    async fn find_all(&mut self, selector: Selector) -> Result<Vec<Node>, HostError> {
        let sel = compile(selector)?;
        Ok(self
            .dump(DUMP_TIMEOUT)
            .await?
            .find_all(&sel)
            .into_iter()
            .map(to_wit)
            .collect())
    }

    async fn wait_for(
        &mut self,
        selector: Selector,
        timeout_ms: u32,
    ) -> Result<Option<Node>, HostError> {
        let sel = compile(selector)?;
        self.poll(timeout_ms, |d| d.find(&sel).map(to_wit)).await
    }

    async fn wait_any(
        &mut self,
        selectors: Vec<Selector>,
        timeout_ms: u32,
    ) -> Result<Option<(u32, Node)>, HostError> {
        let sels = selectors
            .into_iter()
            .map(compile)
            .collect::<Result<Vec<_>, _>>()?;
        self.poll(timeout_ms, |d| {
            sels.iter()
                .zip(0u32..)
                .find_map(|(s, i)| d.find(s).map(|n| (i, to_wit(n))))
        })
        .await
    }

    async fn wait_gone(&mut self, selector: Selector, timeout_ms: u32) -> Result<bool, HostError> {
        let sel = compile(selector)?;
        let gone = self
            .poll(timeout_ms, |d| d.find(&sel).is_none().then_some(()))
            .await?;
        Ok(gone.is_some())
    }

    async fn click(&mut self, selector: Selector, timeout_ms: u32) -> Result<bool, HostError> {
        let sel = compile(selector)?;
        let found = self
            .poll(timeout_ms, |d| d.find(&sel).map(|n| n.bounds.center()))
            .await?;
        let Some((x, y)) = found else {
            return Ok(false);
        };
        let (x, y) = (x.max(0) as u32, y.max(0) as u32);
        self.phone
            .get()?
            .call(|d| async move { d.tap(x, y).await })
            .await?;
        Ok(true)
    }
}
