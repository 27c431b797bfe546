"""Scripts that train small models and export them to ONNX for cim examples."""
