"""Time dlib's own Python binding (dlib-bin) on the frames the Rust benchmark wrote.

Usage: dlib_bench.py FRAME_DIR MODEL_DIR RUNS. Prints a markdown table (median ms).
"""
import os
import statistics
import sys
import time

import dlib
import numpy as np
from PIL import Image

frames, models, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
f320 = np.array(Image.open(os.path.join(frames, "f320.png")).convert("RGB"))
f640 = np.array(Image.open(os.path.join(frames, "f640.png")).convert("RGB"))
detector = dlib.get_frontal_face_detector()
sp = dlib.shape_predictor(os.path.join(models, "shape_predictor_5_face_landmarks.dat"))
net = dlib.face_recognition_model_v1(os.path.join(models, "dlib_face_recognition_resnet_model_v1.dat"))


def median_ms(f):
    f()
    t = []
    for _ in range(runs):
        s = time.perf_counter()
        f()
        t.append(time.perf_counter() - s)
    return statistics.median(t) * 1000


box = detector(f640, 0)[0]
shape = sp(f640, box)
chip = dlib.get_face_chip(f640, shape, size=150, padding=0.25)


def whole():
    b = detector(f640, 0)[0]
    s = sp(f640, b)
    return net.compute_face_descriptor(dlib.get_face_chip(f640, s, size=150, padding=0.25))


rows = [
    ("HOG detection 320x240", median_ms(lambda: detector(f320, 0))),
    ("HOG detection 640x480", median_ms(lambda: detector(f640, 0))),
    ("5-point landmarks", median_ms(lambda: sp(f640, box))),
    ("face chip 150x150", median_ms(lambda: dlib.get_face_chip(f640, shape, size=150, padding=0.25))),
    ("descriptor (ResNet)", median_ms(lambda: net.compute_face_descriptor(chip))),
    ("whole 640x480 frame", median_ms(whole)),
]
print("| step | dlib-bin %s ms |" % dlib.__version__)
print("|---|---:|")
for name, v in rows:
    print("| %s | %.1f |" % (name, v))
