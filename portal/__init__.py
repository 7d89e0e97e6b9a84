"""Fair Recruitment Portal: COC self-assessment and complaint tracking."""

import os

# Piccolo's own CLI (migrations new --auto) finds the engine and apps here.
os.environ.setdefault("PICCOLO_CONF", "portal.piccolo_conf")
