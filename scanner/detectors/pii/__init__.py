from scanner.detectors.pii.detector import PiiDetector

__all__ = ["PiiDetector"]
