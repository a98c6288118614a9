"""python-hello: a phonefleet script written in Python, built into a component by componentize-py.
It reads the phone's model, then follows one TikTok user by tapping Follow on their profile."""

import json

import wit_world
from componentize_py_types import Err
from wit_world.imports import device, host, ui
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

NAME = "python-hello"
VERSION = "0.1.0"

# JSON Schema (draft 2020-12) of the config: the host validates every request against it.
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": NAME,
    "type": "object",
    "properties": {
        "user": {
            "description": "The TikTok user to follow, with or without '@'.",
            "type": "string",
            "pattern": "^@?[A-Za-z0-9_.]{1,24}$",
        }
    },
    "required": ["user"],
    "additionalProperties": False,
}

# How a device error reads in the task's `error`, by kind (as the Rust SDK words them).
DEVICE_ERRORS = {
    DeviceError_Offline: "device offline",
    DeviceError_Timeout: "device timed out",
    DeviceError_Denied: "denied by the host",
    DeviceError_Failed: "device command failed",
}


def selector(**fields) -> Selector:
    """A selector with only the given fields set (every field set must match)."""
    empty = dict.fromkeys(Selector.__dataclass_fields__)
    return Selector(**{**empty, **fields})


def failed(message: str) -> Err:
    """The error that fails the task with this message."""
    return Err(ScriptError_Failed(message))


class WitWorld(wit_world.WitWorld):
    def describe(self) -> ScriptInfo:
        return ScriptInfo(NAME, VERSION, "Reads the phone's model and follows one user", json.dumps(SCHEMA))

    def plan(self, config: str) -> list[str]:
        return [config]

    def run(self, config: str) -> str:
        try:
            user = json.loads(config)["user"].strip().lstrip("@").lower()
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise Err(ScriptError_InvalidConfig(f"'user' is required: {e}"))
        try:
            return json.dumps(follow(user))
        except Err as e:
            kind = DEVICE_ERRORS.get(type(e.value))
            if kind is None:
                raise
            raise failed(f"{kind}: {e.value.value}")


def follow(user: str) -> dict:
    """Reads the model, opens @user's profile in the task's app and taps Follow."""
    task = host.task()
    host.progress(10, "reading the model")
    model = device.shell("getprop ro.product.model").stdout.strip()
    host.log(host.Level.INFO, f"phone {task.serial} is a {model}; opening @{user}")

    host.progress(30, f"opening @{user}")
    device.open_url(f"https://www.tiktok.com/@{user}", task.package)
    if ui.wait_for(selector(text=f"@{user}"), 15_000) is None:
        raise failed(f"the profile of @{user} did not open within 15 s")

    host.progress(60, f"following @{user}")
    follow_button = selector(text="Follow", clickable=True)
    if not ui.click(follow_button, 10_000):
        raise failed(f"@{user}'s profile shows no 'Follow' button (already following?)")
    if not ui.wait_gone(follow_button, 10_000):
        raise failed(f"tapped 'Follow' on @{user}'s profile but it still reads 'Follow' after 10 s")

    host.progress(100, f"followed @{user}")
    return {"model": model, "user": f"@{user}", "outcome": "followed"}
