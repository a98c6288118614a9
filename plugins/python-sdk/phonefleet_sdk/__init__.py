"""phonefleet_sdk: write phonefleet scripts in Python.

The same helpers as the Rust SDK (`plugins/sdk`), over the bindings componentize-py generates from
`wit/script.wit` (the `wit_world` module): selectors, a `click` that fails naming its selector and
what the screen shows, polling with `until`, errors that carry their kind (`device`, `protection`,
`script`) to the task's `error_kind`, and TikTok know-how in `phonefleet_sdk.tiktok`.

A script subclasses `Script` and exports it once, at the bottom of its module:

    WitWorld = phonefleet_sdk.export(MyScript)

Build, with this package copied next to the script's `app.py`:
    componentize-py -d "$PHONEFLEET/wit" -w script componentize app -o my-script.wasm
"""

import json
import time

import wit_world
from componentize_py_types import Err
from wit_world.imports import device, host
from wit_world.imports import ui as _ui
from wit_world.imports.types import (
    DeviceError_Denied,
    DeviceError_Failed,
    DeviceError_Offline,
    DeviceError_Timeout,
    ScriptError_Failed,
    ScriptError_InvalidConfig,
    ScriptInfo,
    Selector,
)

__all__ = [
    "Failed", "Refused", "PhoneFailed", "InvalidConfig", "Script", "export", "sel",
    "selector_text", "nodes", "find", "find_all", "wait_for", "wait_gone", "click", "try_click",
    "tap_node", "until", "describe_screen", "info", "warn", "progress", "sleep", "task", "app", "attempt",
    "device", "host",
]

# How often `until` looks at the screen, in seconds (as the Rust SDK's `ui::POLL`).
POLL = 0.5

# How a device error reads in the task's `error`, by kind (the Rust SDK's words).
_DEVICE_ERRORS = {
    DeviceError_Offline: "device offline",
    DeviceError_Timeout: "device timed out",
    DeviceError_Denied: "denied by the host",
    DeviceError_Failed: "device command failed",
}


class Failed(Exception):
    """The script gives up; the message is the task's `error` (kind `script`)."""


class Refused(Failed):
    """The app refused: a rate limit, a captcha, a block (kind `protection`). Stop, never retry."""


class PhoneFailed(Failed):
    """The phone failed the script, in the script's words (kind `device`)."""


class InvalidConfig(Exception):
    """The config passed the schema but cannot be used; say which key and why."""


class Script:
    """A phonefleet script: set NAME, VERSION, DESCRIPTION and SCHEMA (a JSON Schema, draft
    2020-12, of the config as a dict), and implement `run(config) -> dict`. `plan(config)` splits one
    request's config into one config per task; by default one task."""

    NAME = ""
    VERSION = "0.1.0"
    DESCRIPTION = ""
    SCHEMA = {"type": "object"}

    def plan(self, config: dict) -> list:
        return [config]

    def run(self, config: dict) -> dict:
        raise NotImplementedError


def export(script_class):
    """The `WitWorld` class componentize-py looks for, running `script_class`: JSON in and out,
    exceptions turned into the task's error and error kind."""

    script = script_class()

    class WitWorld(wit_world.WitWorld):
        def describe(self) -> ScriptInfo:
            return ScriptInfo(
                script.NAME, script.VERSION, script.DESCRIPTION, json.dumps(script.SCHEMA)
            )

        def plan(self, config: str) -> list:
            try:
                return [json.dumps(part) for part in script.plan(json.loads(config))]
            except (InvalidConfig, ValueError) as e:
                raise Err(f"invalid config: {e}")

        def run(self, config: str) -> str:
            try:
                parsed = json.loads(config)
            except ValueError as e:
                raise Err(ScriptError_InvalidConfig(f"not JSON: {e}"))
            try:
                return json.dumps(script.run(parsed))
            except InvalidConfig as e:
                raise Err(ScriptError_InvalidConfig(str(e)))
            except Refused as e:
                host.set_failure_kind(host.FailureKind.PROTECTION)
                raise Err(ScriptError_Failed(str(e)))
            except PhoneFailed as e:
                host.set_failure_kind(host.FailureKind.DEVICE)
                raise Err(ScriptError_Failed(str(e)))
            except Failed as e:
                raise Err(ScriptError_Failed(str(e)))
            except Err as e:
                kind = _DEVICE_ERRORS.get(type(e.value))
                if kind is None:
                    raise
                host.set_failure_kind(host.FailureKind.DEVICE)
                raise Err(ScriptError_Failed(f"{kind}: {e.value.value}"))

    return WitWorld


def sel(**fields) -> Selector:
    """A selector with only the given fields set; every field set must match. Fields: text,
    text_contains, text_regex, resource_id, description, description_contains, class_name,
    clickable, instance."""
    empty = dict.fromkeys(Selector.__dataclass_fields__)
    unknown = set(fields) - set(empty)
    if unknown:
        raise TypeError(f"a selector has no field {', '.join(sorted(unknown))}")
    return Selector(**{**empty, **fields})


def selector_text(selector: Selector) -> str:
    """How a selector reads in an error: `text="Follow" clickable=true` (as in the Rust SDK)."""
    parts = []
    for name in Selector.__dataclass_fields__:
        value = getattr(selector, name)
        if value is None:
            continue
        if isinstance(value, bool):
            parts.append(f"{name}={'true' if value else 'false'}")
        elif isinstance(value, int):
            parts.append(f"{name}={value}")
        else:
            parts.append(f"{name}={json.dumps(value)}")
    return " ".join(parts) or "any node"


def _ms(seconds: float) -> int:
    return max(0, int(seconds * 1000))


def nodes() -> list:
    """Every node of the current screen, in document order (one UI dump)."""
    return _ui.find_all(sel())


def find(selector: Selector):
    """The first node matching `selector` now, or None."""
    return _ui.find(selector)


def find_all(selector: Selector) -> list:
    """Every node matching `selector` now, in document order."""
    return _ui.find_all(selector)


def wait_for(selector: Selector, timeout: float):
    """Waits (seconds) until a node matches; the node, or None if none did in time."""
    return _ui.wait_for(selector, _ms(timeout))


def wait_gone(selector: Selector, timeout: float) -> bool:
    """Waits (seconds) until no node matches; False if one still did in time."""
    return _ui.wait_gone(selector, _ms(timeout))


def try_click(selector: Selector, timeout: float = 5.0) -> bool:
    """Waits (seconds) for a node matching `selector` and taps its centre; False if none came."""
    return _ui.click(selector, _ms(timeout))


def click(selector: Selector, timeout: float = 5.0) -> None:
    """Waits (seconds) for a node matching `selector` and taps its centre; raises `Failed`
    naming the selector and what the screen shows when none came (use `try_click` when the node
    may rightly be missing)."""
    if try_click(selector, timeout):
        return
    raise Failed(
        f"nothing matches {selector_text(selector)} after {timeout:.0f} s; "
        f"the screen shows {describe_screen(nodes())}"
    )


def tap_node(node) -> None:
    """Taps the centre of a node found earlier."""
    b = node.bounds
    device.tap(max(0, (b.left + b.right) // 2), max(0, (b.top + b.bottom) // 2))


def describe_screen(screen: list, most: int = 10) -> str:
    """The first `most` distinct labels of a screen (text, else content-desc), for messages."""
    labels = []
    for node in screen:
        label = (node.text.strip() or node.description.strip())
        if label and label not in labels:
            labels.append(label)
            if len(labels) >= most:
                break
    return ", ".join(f"'{label}'" for label in labels) or "nothing readable"


def until(what: str, timeout: float, step):
    """Calls `step(nodes)` on the screen every `POLL` seconds until it returns something other
    than None, for at most `timeout` seconds (at least once); raises `Failed` saying `what`, for
    how long, and what the screen showed. `step` may act (tap, go back) and raise."""
    deadline = time.monotonic() + timeout
    screen = []
    while True:
        screen = nodes()
        found = step(screen)
        if found is not None:
            return found
        if time.monotonic() >= deadline:
            break
        sleep(POLL)
    raise Failed(f"{what} after {timeout:.0f} s; the screen shows {describe_screen(screen)}")


def info(message: str) -> None:
    """A line in the task's log."""
    host.log(host.Level.INFO, message)


def warn(message: str) -> None:
    """A warning in the task's log."""
    host.log(host.Level.WARN, message)


def progress(percent: int, message: str) -> None:
    """The task's progress, 0..=100, with a short note."""
    host.progress(max(0, min(100, int(percent))), message)


def sleep(seconds: float) -> None:
    """Sleeps without blocking the host; stopping the task interrupts it."""
    host.sleep(_ms(seconds))


def task():
    """Who the script runs for: id, serial, username (without '@') and app package."""
    return host.task()


def app() -> str:
    """The app the task drives: "tiktok" or "instagram"."""
    return host.app()


def attempt() -> int:
    """Which run of the task this is: 1 for the first, 2 after one retry, and so on."""
    return host.attempt()
