//! Finding, waiting for and tapping UI nodes through selectors the host evaluates on the current dump.
//! Timeouts are `Duration`s; the host polls, so a wait costs the script nothing while it lasts.

use crate::bindings::phonefleet::script::ui as wit;
use crate::{Bounds, DeviceError, Error, Node, Result, Selector, host};
use std::time::Duration;

pub use phonefleet_rules::Relation;

/// How often [`until`] looks at the screen.
pub const POLL: Duration = Duration::from_millis(500);

/// A duration in whole milliseconds for the host, saturating at `u32::MAX` (about 49 days).
pub(crate) fn millis(d: Duration) -> u32 {
    u32::try_from(d.as_millis()).unwrap_or(u32::MAX)
}

/// The first node matching `selector` now, if any.
#[must_use = "a node that is not there is only noticed by looking at the result"]
pub fn find(selector: &Selector) -> Result<Option<Node>> {
    Ok(wit::find(&selector.to_wit())?)
}

/// Every node matching `selector` now, in document order.
pub fn find_all(selector: &Selector) -> Result<Vec<Node>> {
    Ok(wit::find_all(&selector.to_wit())?)
}

/// Every node of the current screen, in document order (one UI dump). Use it to reason about layout
/// (which button sits under which label) with the [`Node`] helpers and [`Selector::matches`].
pub fn nodes() -> Result<Vec<Node>> {
    find_all(&Selector::any())
}

/// The current screen, or `Err(why)` when the dump failed in a way that may pass by itself:
/// uiautomator's own failure ("could not get idle state", a null root) or the dump's time limit.
/// Real phones fail dumps while a screen animates; a poll tries again instead of failing.
pub fn try_nodes() -> Result<std::result::Result<Vec<Node>, String>> {
    match nodes() {
        Ok(nodes) => Ok(Ok(nodes)),
        Err(Error::Device(DeviceError::Timeout(why))) => Ok(Err(why)),
        Err(Error::Device(DeviceError::Failed(why)))
            if why.starts_with(phonefleet_rules::DUMP_FAILED) =>
        {
            Ok(Err(why))
        }
        Err(e) => Err(e),
    }
}

/// Polls the screen every [`POLL`] until `step` returns a value, for at most `timeout` (at least one
/// look). A dump that fails transiently counts as "not yet". `step` may act (tap, go back) and
/// fail (a protection on screen). When time runs out the error says `what`, for how long, and what
/// the screen showed — or uiautomator's own words if no dump succeeded at all.
///
/// ```no_run
/// # use phonefleet_sdk::{ui, Selector};
/// # use std::time::Duration;
/// let follow = ui::until("no 'Follow' on the profile", Duration::from_secs(10), |nodes| {
///     Ok(nodes.iter().find(|n| n.text == "Follow").cloned())
/// })?;
/// # Ok::<(), phonefleet_sdk::Error>(())
/// ```
pub fn until<T>(
    what: &str,
    timeout: Duration,
    step: impl FnMut(&[Node]) -> Result<Option<T>>,
) -> Result<T> {
    until_readable(what, timeout, |_| Ok(()), step)
}

/// [`until`], calling `unreadable` with uiautomator's words each time the screen cannot be read, so
/// the caller can act on it (pause a video that keeps the screen from going idle, say).
pub fn until_readable<T>(
    what: &str,
    timeout: Duration,
    mut unreadable: impl FnMut(&str) -> Result<()>,
    mut step: impl FnMut(&[Node]) -> Result<Option<T>>,
) -> Result<T> {
    let mut last: Option<Vec<Node>> = None;
    let mut dump_error = None;
    let found = host::poll(timeout, POLL, || match try_nodes()? {
        Ok(nodes) => {
            let found = step(&nodes)?;
            last = Some(nodes);
            Ok(found)
        }
        Err(why) => {
            crate::debug!("{why}; looking again");
            unreadable(&why)?;
            dump_error = Some(why);
            Ok(None)
        }
    })?;
    found.ok_or_else(|| {
        let seconds = timeout.as_secs_f64();
        match (last, dump_error) {
            (Some(nodes), _) => Error::failed(format!(
                "{what} after {seconds:.0} s; the screen shows {}",
                describe_screen(&nodes, 10)
            )),
            (None, Some(why)) => Error::Phone(format!(
                "{what} after {seconds:.0} s: the screen could not be read ({why})"
            )),
            (None, None) => Error::failed(format!("{what} after {seconds:.0} s")),
        }
    })
}

/// Back presses for a poll that leaves screens with Back: at most one a second, since a phone
/// takes a moment to act on one and two quick presses would leave two screens.
#[derive(Debug, Default)]
pub struct BackPresser {
    last: Option<std::time::Instant>,
}

impl BackPresser {
    /// Presses Back unless it did less than a second ago.
    pub fn press(&mut self) -> Result<()> {
        if self
            .last
            .is_none_or(|at| at.elapsed() > Duration::from_secs(1))
        {
            crate::device::back()?;
            self.last = Some(std::time::Instant::now());
        }
        Ok(())
    }
}

/// Waits until a node matches `selector`; `None` if none did within `timeout`.
#[must_use = "a node that never appeared is only noticed by looking at the result"]
pub fn wait_for(selector: &Selector, timeout: Duration) -> Result<Option<Node>> {
    Ok(wit::wait_for(&selector.to_wit(), millis(timeout))?)
}

/// Waits until one of `selectors` matches; returns the index of the selector that did and its node.
#[must_use = "none of them appearing is only noticed by looking at the result"]
pub fn wait_any(selectors: &[Selector], timeout: Duration) -> Result<Option<(usize, Node)>> {
    let wit_selectors: Vec<_> = selectors.iter().map(Selector::to_wit).collect();
    Ok(wit::wait_any(&wit_selectors, millis(timeout))?.map(|(i, n)| (i as usize, n)))
}

/// Waits until no node matches `selector`; `false` if one still did at the timeout.
#[must_use = "a node that stayed is only noticed by looking at the result"]
pub fn wait_gone(selector: &Selector, timeout: Duration) -> Result<bool> {
    Ok(wit::wait_gone(&selector.to_wit(), millis(timeout))?)
}

/// Waits for a node matching `selector` and taps its centre. Fails when none appeared within
/// `timeout`, naming the selector and what the screen shows (`nothing matches text="Follow"
/// after 5 s; the screen shows 'nasa', 'Message', …`), as uiautomator2's `click` raises; use
/// [`try_click`] when the node may rightly be missing.
pub fn click(selector: &Selector, timeout: Duration) -> Result<()> {
    if try_click(selector, timeout)? {
        return Ok(());
    }
    let shows = match try_nodes()? {
        Ok(nodes) => format!("the screen shows {}", describe_screen(&nodes, 10)),
        Err(why) => format!("the screen could not be read ({why})"),
    };
    Err(Error::failed(format!(
        "nothing matches {selector} after {:.0} s; {shows}",
        timeout.as_secs_f64()
    )))
}

/// Waits for a node matching `selector` and taps its centre; `false` if none appeared within
/// `timeout` (the optional form of [`click`]).
#[must_use = "a tap that did not happen is only noticed by looking at the result"]
pub fn try_click(selector: &Selector, timeout: Duration) -> Result<bool> {
    Ok(wit::click(&selector.to_wit(), millis(timeout))?)
}

/// The nodes matching `target` that stand in `relation` (below, above, left of, right of,
/// inside) to the node `anchor` picks on the screen now, nearest first; empty when `anchor`
/// matches nothing. One dump; see [`Selector::near`] for nodes you already have.
#[must_use = "a node that is not there is only noticed by looking at the result"]
pub fn find_near(target: &Selector, relation: Relation, anchor: &Selector) -> Result<Vec<Node>> {
    let nodes = nodes()?;
    Ok(target
        .near(&nodes, relation, anchor)?
        .into_iter()
        .cloned()
        .collect())
}

/// Taps the centre of a node found earlier.
pub fn tap_node(node: &Node) -> Result<()> {
    let (x, y) = node.center();
    crate::device::tap(x, y)
}

impl Bounds {
    /// Width in pixels (0 if inverted).
    pub fn width(&self) -> u32 {
        (self.right - self.left).max(0) as u32
    }
    /// Height in pixels (0 if inverted).
    pub fn height(&self) -> u32 {
        (self.bottom - self.top).max(0) as u32
    }
    /// Whether the point lies inside (right and bottom edges excluded).
    pub fn contains(&self, x: i32, y: i32) -> bool {
        x >= self.left && x < self.right && y >= self.top && y < self.bottom
    }
}

impl Node {
    /// The centre of the node's bounds, clamped to the screen's non-negative quadrant.
    pub fn center(&self) -> (u32, u32) {
        let b = &self.bounds;
        let x = (b.left + b.right) / 2;
        let y = (b.top + b.bottom) / 2;
        (x.max(0) as u32, y.max(0) as u32)
    }

    /// The text, else the content-desc: what a person would read on the node.
    pub fn label(&self) -> &str {
        if self.text.trim().is_empty() {
            &self.description
        } else {
            &self.text
        }
    }

    /// Whether this node's bounds are entirely inside `other`'s.
    pub fn is_inside(&self, other: &Node) -> bool {
        let (a, b) = (&self.bounds, &other.bounds);
        a.left >= b.left && a.top >= b.top && a.right <= b.right && a.bottom <= b.bottom
    }
}

/// A short summary of what the screen shows (the first `max` non-empty labels), for error messages.
pub fn describe_screen(nodes: &[Node], max: usize) -> String {
    let mut labels: Vec<String> = Vec::new();
    for n in nodes {
        let l = n.label().trim();
        if !l.is_empty() && !labels.iter().any(|x| x == l) {
            labels.push(l.to_string());
            if labels.len() >= max {
                break;
            }
        }
    }
    if labels.is_empty() {
        "nothing readable".to_string()
    } else {
        labels
            .iter()
            .map(|l| format!("'{l}'"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
