#!/usr/bin/env python3
"""Writes N distinct JPEG photos-to-be (gradients with shapes) for the demo."""
import os
import sys

from PIL import Image, ImageDraw

out, count, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(out, exist_ok=True)
for i in range(count):
    w, h = 1600, 1200
    img = Image.new("RGB", (w, h))
    draw = ImageDraw.Draw(img)
    for y in range(0, h, 8):  # a vertical gradient, different per image
        draw.rectangle([0, y, w, y + 8], fill=((i * 37 + y // 5) % 256, (y // 5) % 256, (i * 11) % 256))
    draw.ellipse([200 + i % 400, 200, 900 + i % 400, 900], fill=((i * 91) % 256, 200, 80))
    draw.text((60, 60), f"ebb demo image {i + 1}", fill=(255, 255, 255))
    img.save(os.path.join(out, f"{prefix}-{i + 1:04d}.jpg"), quality=90)
