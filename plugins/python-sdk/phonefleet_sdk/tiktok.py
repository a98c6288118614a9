"""TikTok know-how for Python scripts, as the Rust SDK's `tiktok` module has it: usernames,
opening a profile by its link, the app's protections, and a profile's counts."""

from . import Refused, device, info

# Texts (case-insensitive substrings) by which the app says it is rate limiting or restricting the
# account, and by which it shows a captcha: the Rust SDK's `tiktok::RATE_LIMIT_TEXTS` and
# `tiktok::CAPTCHA_TEXTS`, kept equal by its test `python_sdk_lists_match`.
RATE_LIMIT_TEXTS = [
    "following too fast",
    "commenting too fast",
    "tapping too fast",
    "try again later",
    "too many requests",
    "too many attempts",
    "temporarily blocked",
    "action blocked",
]
CAPTCHA_TEXTS = [
    "drag the slider",
    "drag the puzzle",
    "verify to continue",
    "same shape",
    "complete the puzzle",
]
# A notice is short; a caption quoting the words is not a notice.
NOTICE_MAX_CHARS = 120


def normalize_username(name: str) -> str:
    """`@NASA ` → `nasa`: no '@', no spaces, lowercase."""
    return name.strip().lstrip("@").lower()


def open_profile(user: str, package: str) -> None:
    """Opens https://www.tiktok.com/@user in the app `package` (the task's)."""
    user = normalize_username(user)
    info(f"opening https://www.tiktok.com/@{user} in {package}")
    device.open_url(f"https://www.tiktok.com/@{user}", package)


def protection(screen: list):
    """The app's protection on screen as the `Refused` to raise, or None."""
    for node in screen:
        for field in (node.text, node.description):
            text = field.strip()
            if not text or len(text) > NOTICE_MAX_CHARS:
                continue
            lower = text.lower()
            if any(p in lower for p in CAPTCHA_TEXTS):
                return Refused(f"captcha shown by the app: '{text}'")
            if any(p in lower for p in RATE_LIMIT_TEXTS):
                return Refused(f"rate limited by the app: '{text}'")
    return None


def profile_stats(screen: list):
    """A profile's counts as shown (`{"following": "120", "followers": "1.2M", "likes": "33M"}`):
    each value is the count right above its label; None until all three show."""

    def value_of(label: str):
        anchor = next((n for n in screen if n.text.strip().lower() == label), None)
        if anchor is None:
            return None
        a = anchor.bounds
        above = [
            n for n in screen
            if n.bounds.bottom <= a.top and n.bounds.left < a.right and a.left < n.bounds.right
            and parse_count(n.text) is not None
        ]
        if not above:
            return None
        return max(above, key=lambda n: n.bounds.bottom).text.strip()

    stats = {label: value_of(label) for label in ("following", "followers", "likes")}
    return None if None in stats.values() else stats


def parse_count(text: str):
    """`987`, `12,345`, `12.3K`, `1.2M`, `3B` as a number; None for anything else."""
    text = text.strip().replace(",", "")
    scale = {"K": 1e3, "M": 1e6, "B": 1e9}.get(text[-1:].upper(), 1)
    number = text[:-1] if scale != 1 else text
    if not number or not all(c.isdigit() or c == "." for c in number):
        return None
    try:
        return round(float(number) * scale)
    except ValueError:
        return None
