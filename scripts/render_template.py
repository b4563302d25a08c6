"""Fill ${UPPER_CASE} placeholders of a config template from the environment.

    python scripts/render_template.py deploy/nginx.conf var/nginx.conf

Lower-case $names (nginx's own variables) are left alone; a placeholder with no value in the
environment is an error, so a half-rendered config never reaches nginx.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")


def render(text: str, values: dict[str, str]) -> str:
    missing = sorted({name for name in PLACEHOLDER.findall(text) if name not in values})
    if missing:
        raise KeyError("not set in the environment: " + ", ".join(missing))
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    source, target = (Path(arg) for arg in argv)
    try:
        rendered = render(source.read_text(encoding="utf-8"), dict(os.environ))
    except KeyError as exc:
        print(f"{source}: {exc.args[0]}", file=sys.stderr)
        return 1
    target.write_text(rendered, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
