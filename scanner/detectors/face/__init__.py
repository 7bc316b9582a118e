from scanner.detectors.face.detector import FaceDetector

__all__ = ["FaceDetector"]
