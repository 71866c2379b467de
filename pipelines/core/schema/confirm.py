"""Ask the person at the terminal before destroying data (``safemode`` prompts)."""

from __future__ import annotations


def confirm(question: str) -> bool:
    """True only for an explicit ``yes``; an empty answer means the default, no. Any other
    answer asks again, as DataJoint's prompts do."""
    while True:
        answer = input(f"{question} [yes, No]: ").strip().lower()
        if answer in ("yes", "no", ""):
            return answer == "yes"
