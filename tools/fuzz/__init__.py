"""smscan's own fuzz test: damaged and hostile files made from a seed number (tests and tools
import this; the scanner package never does)."""
