from scanner.detectors.marking.detector import MarkingDetector

__all__ = ["MarkingDetector"]
