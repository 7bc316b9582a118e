"""Baseline: the faces of a photo with OpenCV's Haar cascade, as a short script does it."""

import sys

import cv2

image = cv2.imread(sys.argv[1])
gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
print(len(cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5)))
