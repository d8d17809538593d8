#!/usr/bin/env python3
"""Time the site's scrubber on hostile single-line bodies: `python bench/scrubber.py` (250 KB each)."""

from __future__ import annotations

import time

from gitdesk.site.privacy import Scrubber

BODIES = {
    "dots": "a." * 125_000,
    "one word": "a" * 250_000,
    "dashed domain": "a@b" + "-a" * 125_000,
    "many @": ("x" * 50 + "@") * 5_000,
    "dotted İ": "İ" * 125_000 + " Bob Smith",  # folded through the index map, not ASCII's fast path
    "NFD words": "Jose\u0301 Nun\u0303ez " * 20_000,
    "spaced digits": "1 " * 125_000,
    "digit, spaces": "1" + " " * 250_000,
    "many digits": "12 x " * 50_000,
}


def main() -> None:
    scrub = Scrubber(["Bob Smith", "Floor 3", "José Núñez", "+34 612 345 678"])
    for name, body in BODIES.items():
        start = time.perf_counter()
        scrub(body)
        print(f"{name:>14}: {len(body) // 1024} KB in {time.perf_counter() - start:.3f} s")


if __name__ == "__main__":
    main()
