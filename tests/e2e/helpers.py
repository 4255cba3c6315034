"""What the browser tests share besides fixtures: logging in, axe-core, paths."""

import json
import re
from pathlib import Path

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails, on CI) with the reason
    expect = None

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "e2e-artifacts"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PASSWORD = "e2e-Pass-4821"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
LIST_URL = re.compile(r"/parties/customers/(\?.*)?$")


def login(page, username: str, password: str = PASSWORD) -> None:
    """Log in through the real login form and wait for the customer list."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(LIST_URL)


def rows(page):
    """Return the data rows of the list's table."""
    return page.locator("table.list-table tbody tr")


def first_column(page) -> list[str]:
    """Return the full names (first line of the first cell) of the rows shown."""
    return [
        text.strip() for text in page.locator("table.list-table tbody tr td:first-child .fw-semibold").all_inner_texts()
    ]


def axe_violations(page, *, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core on the page and return the violations of the given impacts."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [violation for violation in result["violations"] if violation["impact"] in impacts]


def describe_violations(violations: list[dict]) -> str:
    """Return the violations one per line, each with up to five of the elements concerned."""
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {json.dumps(node['target'])}: {node['html'][:160]}")
            summary = node.get("failureSummary", "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)
