"""Python helpers for cim: model generation and accuracy evaluation.

These are standalone scripts run with Debian's interpreter (/usr/bin/python3),
which sees python3-numpy, python3-onnx and python3-sklearn. See python/README.md.
"""
