"""python-hello: a phonefleet script written in Python with phonefleet_sdk (plugins/python-sdk),
built into a component by componentize-py. It reads the phone's model, then follows one TikTok
user by tapping Follow on their profile."""

import phonefleet_sdk as pf
from phonefleet_sdk import tiktok


class Hello(pf.Script):
    NAME = "python-hello"
    VERSION = "0.1.0"
    DESCRIPTION = "Reads the phone's model and follows one user"
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

    def run(self, config: dict) -> dict:
        user = tiktok.normalize_username(config["user"])
        task = pf.task()
        pf.progress(10, "reading the model")
        model = pf.device.shell("getprop ro.product.model").stdout.strip()
        pf.info(f"phone {task.serial} is a {model}; opening @{user}")

        pf.progress(30, f"opening @{user}")
        tiktok.open_profile(user, task.package)
        pf.until(f"the profile of @{user} did not open", 15, lambda screen: (
            _raise(tiktok.protection(screen)) or tiktok.profile_stats(screen)
        ))

        pf.progress(60, f"following @{user}")
        follow = pf.sel(text="Follow", clickable=True)
        pf.click(follow, 10)
        if not pf.wait_gone(follow, 10):
            raise pf.Failed(f"tapped 'Follow' on @{user}'s profile but it still reads 'Follow' after 10 s")

        pf.progress(100, f"followed @{user}")
        return {"model": model, "user": f"@{user}", "outcome": "followed"}


def _raise(error):
    """Raises `error` if there is one (a protection on screen)."""
    if error is not None:
        raise error
    return None


WitWorld = pf.export(Hello)
