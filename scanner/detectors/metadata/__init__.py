from scanner.detectors.metadata.detector import MetadataDetector

__all__ = ["MetadataDetector"]
