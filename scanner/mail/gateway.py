"""Mail gateway helpers: an e-mail scanned part by part (the core's scan_message, re-exported here
for gateways)."""

from scanner.engine.message import scan_message, scan_raw_message

__all__ = ["scan_message", "scan_raw_message"]
