from scanner.detectors.logo.detector import LogoDetector

__all__ = ["LogoDetector"]
