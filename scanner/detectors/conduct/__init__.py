from scanner.detectors.conduct.detector import ConductDetector

__all__ = ["ConductDetector"]
