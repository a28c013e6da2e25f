"""``tosmonitor demo`` end to end: real recorded terms, weekly crawls, flagged changes, emails, nothing left running."""

from __future__ import annotations

import os
import subprocess
import sys
from email import message_from_bytes, policy
from pathlib import Path

from tosmonitor.demo import notify_available


def test_demo_end_to_end(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOSMONITOR_")}
    # Its speed (under a minute for the default 6 weeks) is measured by hand, not asserted here.
    done = subprocess.run([sys.executable, "-m", "tosmonitor", "demo", "--dir", str(home), "--weeks", "3"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for service in ("twitter", "reddit", "wikipedia", "wordpress", "youtube"):
        assert f"{service} / Terms of Service:" in out
    assert "[FLAGGED]" in out
    assert "env.sh" in out and (home / "env.sh").exists()
    assert (home / "tosmonitor.db").exists()
    emails = sorted((home / "outbox").glob("*.eml"))
    if notify_available():
        assert emails, out
        subjects = [str(message_from_bytes(p.read_bytes(), policy=policy.default)["Subject"]) for p in emails]
        assert any("digest" in s.lower() or "kooste" in s.lower() for s in subjects), subjects
        assert len(emails) > 4  # weekly digests plus legal alerts for flagged changes
    else:
        assert "not installed" in out
    # the printed next steps work with env.sh alone: history, and a digest written to a file
    shell = f". {home / 'env.sh'} && {sys.executable} -m tosmonitor"
    for step in ("history twitter", f"digest --audience comms --since 2020-01-01 --out {tmp_path / 'digest.eml'}"):
        done = subprocess.run(["bash", "-c", f"{shell} {step}"], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (step, done.stderr)
    digest = message_from_bytes((tmp_path / "digest.eml").read_bytes(), policy=policy.default)
    assert digest["To"] == "viestinta@alajarvi.example" and "Viikkokooste" in str(digest["Subject"])
    again = subprocess.run([sys.executable, "-m", "tosmonitor", "demo", "--dir", str(home)], env=env,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 1 and "already holds a demo database" in again.stderr
    assert "Traceback" not in again.stderr
    # nothing left running: no process still has the demo directory in its command line or environment
    leftovers = subprocess.run(["pgrep", "-f", str(home)], capture_output=True, text=True).stdout.split()
    assert leftovers == []
